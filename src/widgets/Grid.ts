import { IRenderMimeRegistry } from '@jupyterlab/rendermime';
import { TranslationBundle } from '@jupyterlab/translation';
import { launchIcon } from '@jupyterlab/ui-components';
import { DisposableSet } from '@lumino/disposable';
import { Message } from '@lumino/messaging';
import { Widget } from '@lumino/widgets';

import { columnKey, GridColumn } from '../columns';
import {
  bestPaths,
  IMetricRow,
  IParameterRow,
  valueRowDiffers
} from '../delta';
import { groupLabel, statOf } from '../groups';
import { CompareModel } from '../model';
import { IBaselinePin, IGroup, INotebookInfo, IValueRow } from '../tokens';
import { renderColumnHeader } from './ColumnHeader';
import { h, icon } from './dom';
import { focusKeyOf, focusWasLost, IFocusKey, restoreFocus } from './focus';
import {
  renderGroupCell,
  renderGroupHeader,
  renderGroupOutput,
  renderGroupParameter
} from './GroupViews';
import { renderMetricCell } from './MetricCell';
import { renderParameterCell } from './ParameterCell';
import { IViewContext } from './types';
import { renderValueCell } from './ValueCell';

/** Width of the sticky label column, in pixels. */
export const LABEL_WIDTH = 200;
/** Width of one notebook column, in pixels. */
export const COLUMN_WIDTH = 260;
/** Runs as rows: the width of a parameter column, in pixels. */
export const PARAMETER_WIDTH = 150;
/** Runs as rows: the width of a metric column, in pixels. */
export const METRIC_WIDTH = 200;
/** Columns rendered beyond each edge of the viewport. */
const OVERSCAN_COLUMNS = 1;
/** Room left for a focus ring beside the sticky label column, in pixels. */
const FOCUS_MARGIN = 4;
/** Pixels rendered beyond the top and bottom of the viewport. */
const OVERSCAN_PIXELS = 600;

/** Where a value came from, for "open the source". */
export interface ISourceTarget {
  path: string;
  name: string;
  origin: IValueRow['origin'];
  cellIndex?: number;
}

/** Options of a {@link Grid}. */
export interface IGridOptions {
  model: CompareModel;
  trans: TranslationBundle;
  rendermime: IRenderMimeRegistry | null;
  openSource: (target: ISourceTarget) => void;
  openImage: (path: string, row: IValueRow, part?: number) => void;
  /** The shared baseline pin, offered in every column header when present. */
  pin?: IBaselinePin | null;
}

/**
 * One named thing the notebooks are compared on: a row of the grid, or a
 * column when runs are rows. Its key is the row's `data-key` of the
 * columns layout (`p:alpha`, `m:tag:mse`, `v:tag:curve`).
 */
type Field =
  | { kind: 'param'; key: string; row: IParameterRow }
  | { kind: 'metric'; key: string; row: IMetricRow }
  | { kind: 'value'; key: string; row: IValueRow };

/** One row of the grid, rendered lazily. */
interface IRow {
  node: HTMLElement;
  key: string;
  /** The key of the column window and data it was rendered for, or ''. */
  rendered: string;
  render: (first: number, last: number) => void;
  disposables: DisposableSet;
}

/**
 * The comparison grid: notebooks as columns, values as rows, with a sticky
 * header and label column. Runs grouped by parameters give one column per
 * group (each expanded group followed by its runs); "runs as rows" swaps
 * the axes for wide sweeps, with the same cells and the same windowing.
 *
 * It is windowed in both directions so that 200 notebooks × 30 values stay
 * responsive: only the columns in view (plus one on each side) are built, and
 * a row builds its cells only when it comes near the viewport. Off-screen
 * rows keep their last measured height, so the scrollbar stays truthful and
 * a refresh does not move the user's scroll position.
 */
export class Grid extends Widget {
  constructor(options: IGridOptions) {
    super();
    this._options = options;
    this.addClass('jp-NbCompare-scroller');
    this.node.tabIndex = -1;
    this._content = h('div', {
      className: 'jp-NbCompare-content',
      attrs: { role: 'table' }
    });
    this.node.appendChild(this._content);
    this.node.addEventListener('scroll', this, { passive: true });
    this.node.addEventListener('focusin', this);
  }

  /** How many times the grid was fully rebuilt (read by tests and benchmarks). */
  get renderCount(): number {
    return this._renderCount;
  }

  /** Handle DOM events (scroll, focusin). */
  handleEvent(event: Event): void {
    if (event.type === 'scroll') {
      this._schedule();
    } else if (event.type === 'focusin') {
      this._reveal(event.target as HTMLElement);
    }
  }

  /** The notebook whose column a chart click marked, if any. */
  get highlighted(): string | null {
    return this._highlight;
  }

  /**
   * Scroll a notebook's column into view (centred when it fits), mark it and
   * move focus to its header, so a click on a chart's mark leads to the run.
   * Returns false for a path that is not compared here.
   */
  revealColumn(path: string): boolean {
    const index = this._columns.findIndex(
      column => column.kind === 'run' && column.path === path
    );
    if (index < 0) {
      return false;
    }
    this._highlight = path;
    if (this._options.model.layout === 'rows') {
      // Runs as rows: the run is a row; bring it into view vertically.
      const row = this._rows.find(item =>
        item.node.querySelector(`[data-path="${CSS.escape(path)}"]`)
      );
      row?.node.scrollIntoView({ block: 'center' });
    } else {
      const room =
        (this.node.clientWidth || 4 * COLUMN_WIDTH + LABEL_WIDTH) - LABEL_WIDTH;
      const width = this._widths[index] ?? COLUMN_WIDTH;
      this.node.scrollLeft = Math.max(
        0,
        (this._offsets[index] ?? 0) - Math.max(0, (room - width) / 2)
      );
    }
    this._version++;
    this._update();
    const header = Array.from(
      this.node.querySelectorAll<HTMLElement>('[data-path]')
    ).find(cell => cell.dataset.path === path);
    header
      ?.querySelector<HTMLElement>('.jp-NbCompare-colName')
      ?.focus({ preventScroll: true });
    return true;
  }

  /** Rebuild every row from the model, keeping the scroll position. */
  rebuild(): void {
    const { model } = this._options;
    const top = this.node.scrollTop;
    const left = this.node.scrollLeft;
    // Keep the keyboard user's place: the focused control is redrawn below.
    this._focus = focusKeyOf(this.node) ?? this._focus;
    for (const row of this._rows) {
      row.disposables.dispose();
    }
    this._rows = [];
    this._best.clear();
    this._content.replaceChildren();
    this._version++;

    const data = model.data;
    const transposed = model.layout === 'rows';
    this._columns = model.columns;
    this._groups = model.groups ?? [];
    this._fields = data ? fieldsOf(model) : [];
    this.node.dataset.layout = model.layout;
    this._content.classList.toggle('jp-mod-rows', transposed);
    this._content.setAttribute(
      'aria-label',
      transposed
        ? this._options.trans.__('Runs as rows')
        : this._options.trans.__('Runs as columns')
    );
    this._setWidths(
      transposed
        ? this._fields.map(fieldWidth)
        : this._columns.map(() => COLUMN_WIDTH)
    );
    if (transposed) {
      this._buildTransposed();
    } else {
      this._buildColumns();
    }
    if (data && this._fields.length === 0) {
      const { trans } = this._options;
      const message =
        data.values.length === 0
          ? trans.__('These notebooks carry no tagged outputs or scraps.')
          : model.onlyDifferences
            ? trans.__('No differences match the filter.')
            : trans.__('Nothing matches the filter.');
      this._content.appendChild(
        h('div', { className: 'jp-NbCompare-empty', text: message })
      );
    }
    this.node.scrollTop = top;
    this.node.scrollLeft = left;
    this._renderCount++;
    this._update();
    this.node.dataset.renderCount = String(this._renderCount);
  }

  /** Notebooks (or groups) as columns: one row per parameter, metric, output. */
  private _buildColumns(): void {
    const { trans } = this._options;
    this._header = this._makeRow(
      'header',
      'jp-NbCompare-headerRow',
      0,
      (row, first, last) => this._renderColumnHeaders(row, first, last)
    );
    const sections: [Field['kind'], string, string][] = [
      ['param', 'params', trans.__('Parameters')],
      ['metric', 'metrics', trans.__('Metrics')],
      ['value', 'values', trans.__('Outputs')]
    ];
    for (const [kind, key, title] of sections) {
      const fields = this._fields.filter(field => field.kind === kind);
      if (fields.length === 0) {
        continue;
      }
      this._section(key, title, fields.length);
      for (const field of fields) {
        this._makeRow(
          field.key,
          fieldRowClass(field),
          fieldEstimate(field),
          (row, first, last) => this._renderFieldRow(row, field, first, last)
        );
      }
    }
  }

  /** Runs as rows: a header of fields, then one row per run or group. */
  private _buildTransposed(): void {
    this._header = this._makeRow(
      'header',
      'jp-NbCompare-headerRow',
      0,
      (row, first, last) => this._renderFieldHeaders(row, first, last)
    );
    const tall = this._fields.some(field => field.kind === 'value');
    for (const column of this._columns) {
      const member = column.kind === 'run' && column.group !== null;
      this._makeRow(
        columnKey(column, this._groups),
        `jp-NbCompare-runRow${column.kind === 'group' ? ' jp-mod-group' : ''}${
          member ? ' jp-mod-member' : ''
        }`,
        tall ? 120 : 56,
        (row, first, last) => this._renderColumnRow(row, column, first, last)
      );
    }
  }

  /** Re-render the visible rows (after the window or the DOM changed). */
  protected onAfterAttach(msg: Message): void {
    super.onAfterAttach(msg);
    this._schedule();
  }

  protected onResize(msg: Widget.ResizeMessage): void {
    super.onResize(msg);
    this._schedule();
  }

  protected onAfterShow(msg: Message): void {
    super.onAfterShow(msg);
    this._schedule();
  }

  /** Dispose of every rendered cell. */
  dispose(): void {
    if (this.isDisposed) {
      return;
    }
    for (const row of this._rows) {
      row.disposables.dispose();
    }
    this._rows = [];
    if (this._frame) {
      cancelAnimationFrame(this._frame);
    }
    super.dispose();
  }

  private _schedule(): void {
    if (this._frame || this.isDisposed) {
      return;
    }
    this._frame = requestAnimationFrame(() => {
      this._frame = 0;
      this._update();
    });
  }

  /** The column window [first, last] currently in view. */
  private _window(): [number, number] {
    const count = this._widths.length;
    const width = this.node.clientWidth || 4 * COLUMN_WIDTH + LABEL_WIDTH;
    const left = this.node.scrollLeft;
    const first = Math.max(
      0,
      this._columnStartingBefore(left) - OVERSCAN_COLUMNS
    );
    const last = Math.min(
      count - 1,
      this._columnBoundaryAfter(left + width - LABEL_WIDTH) + OVERSCAN_COLUMNS
    );
    return [first, last];
  }

  /** Set the widths of the columns (and where each starts). */
  private _setWidths(widths: number[]): void {
    this._widths = widths;
    this._offsets = [0];
    for (const width of widths) {
      this._offsets.push(this._offsets[this._offsets.length - 1] + width);
    }
    this._content.style.width = `${
      LABEL_WIDTH + this._offsets[this._offsets.length - 1]
    }px`;
  }

  /** The last column that starts at or before `x` (0 for none). */
  private _columnStartingBefore(x: number): number {
    let lo = 0;
    let hi = this._widths.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this._offsets[mid] <= x) {
        lo = mid;
      } else {
        hi = mid - 1;
      }
    }
    return lo;
  }

  /** The first column boundary at or after `x` (as `ceil(x / width)`). */
  private _columnBoundaryAfter(x: number): number {
    let lo = 0;
    let hi = this._widths.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this._offsets[mid] >= x) {
        hi = mid;
      } else {
        lo = mid + 1;
      }
    }
    return lo;
  }

  /** Render the rows near the viewport for the current column window. */
  private _update(): void {
    if (this.isDisposed) {
      return;
    }
    const [first, last] = this._window();
    const stamp = `${this._version}:${first}:${last}`;
    const viewTop = this.node.scrollTop - OVERSCAN_PIXELS;
    const viewBottom =
      this.node.scrollTop + (this.node.clientHeight || 800) + OVERSCAN_PIXELS;
    // Read every position first (one layout), then build, then measure:
    // interleaving reads and writes would force a layout per row.
    const due: IRow[] = [];
    const focus = focusKeyOf(this.node) ?? this._focus;
    this._focus = null;
    for (const row of this._rows) {
      if (row.rendered === stamp) {
        continue;
      }
      const top = row.node.offsetTop;
      const bottom = top + row.node.offsetHeight;
      if (row === this._header || (bottom >= viewTop && top <= viewBottom)) {
        due.push(row);
      }
    }
    for (const row of due) {
      row.disposables.dispose();
      row.disposables = new DisposableSet();
      row.render(first, last);
      row.rendered = stamp;
      row.node.style.minHeight = '';
    }
    for (const row of due) {
      this._heights.set(row.key, row.node.offsetHeight);
    }
    if (focus && focusWasLost(this.node.ownerDocument)) {
      const row = this._rows.find(r => r.key === focus.row);
      // A redraw gives focus back where it was: never a reason to scroll.
      this._restoring = true;
      const restored = !!row && restoreFocus(row.node, focus);
      this._restoring = false;
      if (!restored) {
        // Its cell left the window: stay in the grid rather than on <body>.
        this.node.focus({ preventScroll: true });
      }
    }
    if (due.length > 0) {
      // Built rows may have changed height and pulled others into view.
      this._schedule();
    }
  }

  /**
   * Scroll a focused control out from under the sticky label column: the
   * browser counts it as visible there, so its focus ring would be hidden.
   */
  private _reveal(target: HTMLElement): void {
    if (
      this._restoring ||
      target === this.node ||
      target.closest('.jp-NbCompare-label')
    ) {
      return;
    }
    const hidden =
      this.node.getBoundingClientRect().left +
      LABEL_WIDTH +
      FOCUS_MARGIN -
      target.getBoundingClientRect().left;
    if (hidden > 0) {
      this.node.scrollLeft -= hidden;
    }
  }

  private _section(key: string, title: string, count: number): void {
    this._content.appendChild(
      h(
        'div',
        { className: 'jp-NbCompare-section', attrs: { 'data-section': key } },
        [
          h('h2', { className: 'jp-NbCompare-sectionTitle', text: title }, [
            h('span', {
              className: 'jp-NbCompare-count',
              text: ` ${count}`
            })
          ])
        ]
      )
    );
  }

  private _makeRow(
    key: string,
    className: string,
    estimate: number,
    render: (row: IRow, first: number, last: number) => void
  ): IRow {
    const node = h('div', {
      className: `jp-NbCompare-row ${className}`,
      attrs: { role: 'row', 'data-key': key }
    });
    node.style.minHeight = `${this._heights.get(key) ?? estimate}px`;
    const row: IRow = {
      node,
      key,
      rendered: '',
      render: (first, last) => render(row, first, last),
      disposables: new DisposableSet()
    };
    this._content.appendChild(node);
    this._rows.push(row);
    return row;
  }

  /**
   * Fill a row: sticky label, a spacer for the columns before the window,
   * then the cells of the window, each with the attributes `attrsOf` gives.
   */
  private _fill(
    row: IRow,
    label: HTMLElement,
    first: number,
    last: number,
    cell: (index: number) => HTMLElement,
    attrsOf: (index: number) => ICellAttrs
  ): void {
    const nodes: HTMLElement[] = [label];
    nodes.push(
      h('div', {
        className: 'jp-NbCompare-spacer',
        attrs: { style: `width:${this._offsets[first] ?? 0}px` }
      })
    );
    for (let i = first; i <= last && i < this._widths.length; i++) {
      const { className, attrs } = attrsOf(i);
      const node = h(
        'div',
        {
          className: `jp-NbCompare-cell${className ? ` ${className}` : ''}`,
          attrs: { role: 'cell', ...attrs, 'data-column': String(i) }
        },
        [cell(i)]
      );
      node.style.width = node.style.flexBasis = `${this._widths[i]}px`;
      nodes.push(node);
    }
    row.node.replaceChildren(...nodes);
  }

  /** The class and attributes of the cells of a notebook or group. */
  private _columnAttrs(column: GridColumn): ICellAttrs {
    const { model } = this._options;
    if (column.kind === 'group') {
      return {
        className: `jp-mod-group${
          column.group === model.baselineGroup ? ' jp-mod-baseline' : ''
        }`,
        attrs: { 'data-group': String(column.group) }
      };
    }
    const classes = [
      column.path === model.dataBaseline ? 'jp-mod-baseline' : '',
      column.group !== null ? 'jp-mod-member' : '',
      column.path === this._highlight ? 'jp-mod-highlighted' : ''
    ].filter(Boolean);
    return {
      className: classes.join(' '),
      attrs: { 'data-path': column.path }
    };
  }

  /**
   * The class and attributes of the cells of a field (runs as rows): a
   * parameter that differs across the runs is tinted, as its row is in the
   * columns layout.
   */
  private _fieldAttrs(field: Field): ICellAttrs {
    const differs =
      field.kind === 'param' && fieldDiffers(field, this._options.model.paths);
    return {
      className: `jp-mod-${field.kind}${differs ? ' jp-mod-differs' : ''}`,
      attrs: { 'data-field': field.key }
    };
  }

  private _label(
    text: string,
    title: string,
    extra: (HTMLElement | null)[] = [],
    differs: boolean | null = null
  ): HTMLElement {
    return h(
      'div',
      {
        className: 'jp-NbCompare-label',
        title,
        attrs: { role: 'rowheader' }
      },
      [
        h('span', { className: 'jp-NbCompare-labelText', text }),
        differs === null ? null : this._differsMark(differs),
        ...extra
      ]
    );
  }

  /** The ≠ / = sign of a field: whether its values differ across notebooks. */
  private _differsMark(differs: boolean): HTMLElement {
    const { trans } = this._options;
    return h('span', {
      className: `jp-NbCompare-differs${differs ? ' jp-mod-differs' : ''}`,
      text: differs ? '\u2260' : '=',
      title: differs
        ? trans.__('differs across notebooks')
        : trans.__('the same in every notebook'),
      attrs: {
        'aria-label': differs ? trans.__('differs') : trans.__('same')
      }
    });
  }

  /** Columns layout: the header of every notebook or group column. */
  private _renderColumnHeaders(row: IRow, first: number, last: number): void {
    const { model, trans } = this._options;
    const groups = this._groups.length;
    const corner = h(
      'div',
      { className: 'jp-NbCompare-label jp-NbCompare-corner' },
      [
        h('span', {
          text:
            groups > 0
              ? trans.__(
                  '%1 groups of %2 notebooks',
                  groups,
                  model.paths.length
                )
              : trans.__('%1 notebooks', model.paths.length)
        })
      ]
    );
    this._fill(
      row,
      corner,
      first,
      last,
      i => this._columnHeader(this._columns[i], false),
      i => this._columnAttrs(this._columns[i])
    );
  }

  /** Columns layout: one parameter, metric or output across the columns. */
  private _renderFieldRow(
    row: IRow,
    field: Field,
    first: number,
    last: number
  ): void {
    if (field.kind === 'param') {
      row.node.classList.toggle(
        'jp-mod-differs',
        fieldDiffers(field, this._options.model.paths)
      );
    }
    this._fill(
      row,
      this._fieldLabel(field),
      first,
      last,
      i => this._cell(field, this._columns[i], row),
      i => {
        const attrs = this._columnAttrs(this._columns[i]);
        return { ...attrs, attrs: { ...attrs.attrs, 'data-field': field.key } };
      }
    );
  }

  /** Runs as rows: the header of every field, sortable by a metric. */
  private _renderFieldHeaders(row: IRow, first: number, last: number): void {
    const { model, trans } = this._options;
    const corner = h(
      'div',
      { className: 'jp-NbCompare-label jp-NbCompare-corner' },
      [
        h('span', {
          text:
            this._groups.length > 0
              ? trans.__(
                  '%1 groups of %2 notebooks',
                  this._groups.length,
                  model.paths.length
                )
              : trans.__('%1 notebooks', model.paths.length)
        })
      ]
    );
    this._fill(
      row,
      corner,
      first,
      last,
      i => this._fieldHeader(this._fields[i]),
      i => this._fieldAttrs(this._fields[i])
    );
  }

  /** Runs as rows: one notebook or group across the fields. */
  private _renderColumnRow(
    row: IRow,
    column: GridColumn,
    first: number,
    last: number
  ): void {
    const own = this._columnAttrs(column);
    row.node.classList.toggle(
      'jp-mod-baseline',
      own.className.includes('jp-mod-baseline')
    );
    const label = h(
      'div',
      { className: 'jp-NbCompare-label', attrs: { role: 'rowheader' } },
      [this._columnHeader(column, true)]
    );
    this._fill(
      row,
      label,
      first,
      last,
      i => this._cell(this._fields[i], column, row),
      i => {
        const field = this._fieldAttrs(this._fields[i]);
        return {
          className: `${field.className} ${own.className}`.trim(),
          attrs: { ...field.attrs, ...own.attrs }
        };
      }
    );
  }

  /** The header of a notebook or a group (compact for a row header). */
  private _columnHeader(column: GridColumn, compact: boolean): HTMLElement {
    const { model, trans, pin } = this._options;
    const role = compact ? null : 'columnheader';
    if (column.kind === 'group') {
      const group = this._groups[column.group];
      const expanded = model.isExpanded(group);
      const failed = new Set(group.failed);
      const first = group.paths.find(path => !failed.has(path)) ?? null;
      return renderGroupHeader({
        trans,
        group,
        index: column.group,
        isBaseline: column.group === model.baselineGroup,
        expanded,
        onToggle: () => model.setExpanded(group, !expanded),
        onSetBaseline: first ? () => void model.setBaseline(first) : null,
        role,
        compact
      });
    }
    const path = column.path;
    const info = model.notebooks.find(nb => nb.path === path) ?? null;
    return renderColumnHeader({
      trans,
      path,
      info,
      isBaseline: path === model.baseline,
      failure: failureOf(model, info, path),
      onSetBaseline: () => void model.setBaseline(path),
      isPinned: pin ? pin.path === path : undefined,
      onTogglePin: pin
        ? () => pin.set(pin.path === path ? null : path)
        : undefined,
      onOpen: () => this._options.openSource({ path, name: '', origin: 'tag' }),
      groupLabel:
        column.group !== null && this._groups[column.group]
          ? groupLabel(this._groups[column.group])
          : null,
      compact,
      role
    });
  }

  /** Columns layout: the sticky label of a field's row. */
  private _fieldLabel(field: Field): HTMLElement {
    const { model } = this._options;
    if (field.kind === 'param') {
      return this._label(
        field.row.name,
        field.row.name,
        [
          model.groupBy.includes(field.row.name)
            ? h('span', {
                className: 'jp-NbCompare-kind',
                text: this._options.trans.__('grouped by')
              })
            : null
        ],
        fieldDiffers(field, model.paths)
      );
    }
    if (field.kind === 'metric') {
      const metric = field.row;
      const hint = directionHint(this._options.trans, metric);
      return this._label(
        metric.label,
        `${metric.label} (${metric.origin})${hint ? `\n${hint}` : ''}`,
        [
          this._sortButton(metric, false),
          hint
            ? h('span', { className: 'jp-NbCompare-direction', text: hint })
            : null
        ],
        fieldDiffers(field, model.paths)
      );
    }
    const value = field.row;
    return this._label(
      value.name,
      `${value.name} (${value.origin}, ${value.kind})`,
      [
        h('span', {
          className: 'jp-NbCompare-kind',
          text: `${value.kind} · ${value.origin}`
        })
      ],
      fieldDiffers(field, model.paths)
    );
  }

  /** Runs as rows: the column header of a field. */
  private _fieldHeader(field: Field): HTMLElement {
    const { trans } = this._options;
    if (field.kind === 'metric') {
      const metric = field.row;
      const active = this._options.model.sortRow?.id === metric.id;
      return h(
        'div',
        {
          className: 'jp-NbCompare-fieldHeader',
          title: `${metric.label} (${metric.origin})`,
          attrs: {
            role: 'columnheader',
            'aria-sort': active
              ? metric.direction === 'higher'
                ? 'descending'
                : 'ascending'
              : 'none'
          }
        },
        [
          this._sortButton(metric, true),
          this._differsMark(fieldDiffers(field, this._options.model.paths)),
          h('span', {
            className: 'jp-NbCompare-direction',
            text: directionHint(trans, metric) || trans.__('no direction')
          })
        ]
      );
    }
    const name = field.row.name;
    const kind =
      field.kind === 'param'
        ? trans.__('parameter')
        : `${field.row.kind} · ${field.row.origin}`;
    return h(
      'div',
      {
        className: 'jp-NbCompare-fieldHeader',
        title: name,
        attrs: { role: 'columnheader' }
      },
      [
        h('span', { className: 'jp-NbCompare-labelText', text: name }),
        this._differsMark(fieldDiffers(field, this._options.model.paths)),
        h('span', { className: 'jp-NbCompare-kind', text: kind })
      ]
    );
  }

  /**
   * Sort the columns (runs as rows: the rows) by a metric, best first; a
   * second press goes back to the notebooks' order. `named`: the button
   * shows the metric's name (a column header) rather than only a sign.
   */
  private _sortButton(metric: IMetricRow, named: boolean): HTMLElement {
    const { model, trans } = this._options;
    const active = model.sortRow?.id === metric.id;
    const order =
      metric.direction === 'higher'
        ? trans.__('highest first')
        : metric.direction === 'lower'
          ? trans.__('lowest first')
          : trans.__('ascending (no direction)');
    const caption = active
      ? trans.__(
          'Sorted by %1, %2: press to restore the notebooks’ order',
          metric.label,
          order
        )
      : trans.__(
          'Sort by %1, best first (%2); the baseline stays first',
          metric.label,
          order
        );
    return h(
      'button',
      {
        className: `jp-NbCompare-sortButton${active ? ' jp-mod-active' : ''}`,
        title: caption,
        attrs: {
          'aria-pressed': active ? 'true' : 'false',
          'aria-label': trans.__('Sort by %1', metric.label),
          'data-nbc-focus': 'sort'
        },
        onClick: () => {
          model.sortBy = active ? null : metric.id;
        }
      },
      [
        named
          ? h('span', {
              className: 'jp-NbCompare-labelText',
              text: metric.label
            })
          : null,
        h('span', {
          className: 'jp-NbCompare-sortSign',
          text: active
            ? metric.direction === 'higher'
              ? '\u2193'
              : '\u2191'
            : '\u21c5',
          attrs: { 'aria-hidden': 'true' }
        })
      ]
    );
  }

  /** The cell of a field in a notebook's or a group's column. */
  private _cell(field: Field, column: GridColumn, row: IRow): HTMLElement {
    if (column.kind === 'group') {
      const group = this._groups[column.group];
      return this._groupCell(field, group, column.group);
    }
    const path = column.path;
    if (field.kind === 'param') {
      return this._parameterCell(field.row, path);
    }
    if (field.kind === 'metric') {
      return this._metricCell(field.row, path);
    }
    return this._valueCell(field.row, path, row);
  }

  private _groupCell(field: Field, group: IGroup, index: number): HTMLElement {
    const { model, trans } = this._options;
    if (field.kind === 'param') {
      return renderGroupParameter(trans, field.row, group);
    }
    if (field.kind === 'metric') {
      return renderGroupCell({
        trans,
        label: field.row.label,
        stat: statOf(group, field.row),
        isBaseline: index === model.baselineGroup,
        failed: group.failed.length
      });
    }
    return renderGroupOutput(trans, group, model.isExpanded(group));
  }

  private _parameterCell(param: IParameterRow, path: string): HTMLElement {
    const { trans } = this._options;
    return h(
      'button',
      {
        className: 'jp-NbCompare-paramButton',
        title: trans.__('Open %1 at its parameters', path),
        onClick: () =>
          this._options.openSource({
            path,
            // papermill's cell when it injected the value, else the defaults
            name: param.cells[path]?.injected
              ? 'injected-parameters'
              : 'parameters',
            origin: 'tag'
          })
      },
      [renderParameterCell(trans, param, path)]
    );
  }

  private _metricCell(metric: IMetricRow, path: string): HTMLElement {
    const { model, trans } = this._options;
    let best = this._best.get(metric.id);
    if (!best) {
      best = bestPaths(metric, model.paths);
      this._best.set(metric.id, best);
    }
    return renderMetricCell({
      trans,
      row: metric,
      cell: metric.cells[path] ?? null,
      base: metric.cells[model.dataBaseline] ?? null,
      isBaseline: path === model.dataBaseline,
      isBest: best.has(path),
      onOpen: () =>
        this._options.openSource({
          path,
          name: metric.name,
          origin: metric.origin,
          cellIndex: cellIndexOf(model, metric.origin, metric.name, path)
        })
    });
  }

  private _valueCell(value: IValueRow, path: string, row: IRow): HTMLElement {
    const { model, trans, rendermime } = this._options;
    const context: IViewContext = {
      trans,
      row: value,
      path,
      baseline: model.dataBaseline,
      baseCell: value.cells[model.dataBaseline] ?? null,
      rendermime,
      own: disposable => row.disposables.add(disposable),
      openImage: this._options.openImage
    };
    const cell = value.cells[path] ?? null;
    const open = h(
      'button',
      {
        className: 'jp-NbCompare-source',
        title: trans.__('Open %1 at the cell of %2', path, value.name),
        attrs: {
          'aria-label': trans.__('Open %1 at the cell of %2', path, value.name)
        },
        onClick: () =>
          this._options.openSource({
            path,
            name: value.name,
            origin: value.origin,
            cellIndex: cellIndexOf(model, value.origin, value.name, path)
          })
      },
      [icon(launchIcon)]
    );
    const node = h('div', { className: 'jp-NbCompare-valueCell' }, [
      cell ? open : null,
      renderValueCell(cell, context)
    ]);
    if (cell) {
      // A click on the value itself opens its source too (the button is the
      // keyboard's way), unless it lands on a control or ends a selection.
      node.addEventListener('click', event => {
        const target = event.target as Element;
        if (
          target.closest('button, a, input, select, textarea') ||
          (window.getSelection()?.toString() ?? '') !== ''
        ) {
          return;
        }
        open.click();
      });
    }
    return node;
  }

  private _options: IGridOptions;
  private _content: HTMLElement;
  private _rows: IRow[] = [];
  private _header: IRow | null = null;
  private _heights = new Map<string, number>();
  /** The focused control when a rebuild dropped it, restored by `_update`. */
  private _focus: IFocusKey | null = null;
  /** Set while `_update` gives focus back after a redraw (see `_reveal`). */
  private _restoring = false;
  private _frame = 0;
  private _version = 0;
  private _highlight: string | null = null;
  private _renderCount = 0;
  /** The notebooks and groups, in order (the columns, or the rows transposed). */
  private _columns: GridColumn[] = [];
  private _groups: IGroup[] = [];
  /** The parameters, metrics and outputs shown (the rows, or the columns). */
  private _fields: Field[] = [];
  /** The width of every column of the current layout, and where each starts. */
  private _widths: number[] = [];
  private _offsets: number[] = [0];
  /** The best notebooks of each metrics row, worked out once per rebuild. */
  private _best = new Map<string, Set<string>>();
}

/** The class and attributes of one cell. */
interface ICellAttrs {
  className: string;
  attrs: Record<string, string>;
}

/** The fields the model shows, in section order. */
function fieldsOf(model: CompareModel): Field[] {
  return [
    ...model.parameters.map((row): Field => ({
      kind: 'param',
      key: `p:${row.name}`,
      row
    })),
    ...model.metrics.map((row): Field => ({
      kind: 'metric',
      key: `m:${row.id}`,
      row
    })),
    ...model.others.map((row): Field => ({
      kind: 'value',
      key: `v:${row.origin}:${row.name}`,
      row
    }))
  ];
}

/** Whether a field's values differ across the notebooks (its ≠ sign, its tint). */
function fieldDiffers(field: Field, paths: string[]): boolean {
  return field.kind === 'value'
    ? valueRowDiffers(field.row, paths)
    : field.row.differs;
}

/** Runs as rows: how wide a field's column is. */
function fieldWidth(field: Field): number {
  return field.kind === 'param'
    ? PARAMETER_WIDTH
    : field.kind === 'metric'
      ? METRIC_WIDTH
      : COLUMN_WIDTH;
}

/** The class of a field's row (columns layout). */
function fieldRowClass(field: Field): string {
  if (field.kind === 'param') {
    return 'jp-NbCompare-paramRow';
  }
  if (field.kind === 'metric') {
    return 'jp-NbCompare-metricRow';
  }
  return `jp-NbCompare-valueRow jp-mod-kind-${field.row.kind}`;
}

/** The height a field's row is given before it is measured. */
function fieldEstimate(field: Field): number {
  if (field.kind === 'param') {
    return 28;
  }
  if (field.kind === 'metric') {
    return 48;
  }
  return field.row.kind === 'image' ? 180 : 120;
}

/** "↓ lower is better" / "↑ higher is better", or '' without a direction. */
function directionHint(trans: TranslationBundle, metric: IMetricRow): string {
  return metric.direction === 'lower'
    ? trans.__('\u2193 lower is better')
    : metric.direction === 'higher'
      ? trans.__('\u2191 higher is better')
      : '';
}

/** The notebook cell index a value came from, when the server tells it. */
function cellIndexOf(
  model: CompareModel,
  origin: string,
  name: string,
  path: string
): number | undefined {
  const row = model.data?.values.find(
    v => v.origin === origin && v.name === name
  );
  const cell = row?.cells[path] as { cell_index?: unknown } | null | undefined;
  return typeof cell?.cell_index === 'number' ? cell.cell_index : undefined;
}

/**
 * The first exception of a failed run ("Name: value"): the server's
 * `failure` (wherever it happened, a tagged cell or not), else the first
 * error among its values (an older server).
 */
function failureOf(
  model: CompareModel,
  info: INotebookInfo | null,
  path: string
): string | null {
  if (info?.failure) {
    return `${info.failure.ename}: ${info.failure.evalue}`;
  }
  for (const row of model.data?.values ?? []) {
    const cell = row.cells[path];
    if (cell && cell.kind === 'error') {
      return `${cell.ename}: ${cell.evalue}`;
    }
  }
  return null;
}
