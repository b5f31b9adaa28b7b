import { IRenderMimeRegistry } from '@jupyterlab/rendermime';
import { TranslationBundle } from '@jupyterlab/translation';
import { launchIcon } from '@jupyterlab/ui-components';
import { DisposableSet } from '@lumino/disposable';
import { Message } from '@lumino/messaging';
import { Widget } from '@lumino/widgets';

import {
  bestPaths,
  IMetricRow,
  IParameterRow,
  valueRowDiffers
} from '../delta';
import { CompareModel } from '../model';
import { IBaselinePin, INotebookInfo, IValueRow } from '../tokens';
import { renderColumnHeader } from './ColumnHeader';
import { h, icon } from './dom';
import { focusKeyOf, focusWasLost, IFocusKey, restoreFocus } from './focus';
import { renderMetricCell } from './MetricCell';
import { renderParameterCell } from './ParameterCell';
import { IViewContext } from './types';
import { renderValueCell } from './ValueCell';

/** Width of the sticky label column, in pixels. */
export const LABEL_WIDTH = 200;
/** Width of one notebook column, in pixels. */
export const COLUMN_WIDTH = 260;
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
 * header and label column.
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
    const index = this._options.model.paths.indexOf(path);
    if (index < 0) {
      return false;
    }
    this._highlight = path;
    const room =
      (this.node.clientWidth || 4 * COLUMN_WIDTH + LABEL_WIDTH) - LABEL_WIDTH;
    this.node.scrollLeft = Math.max(
      0,
      index * COLUMN_WIDTH - Math.max(0, (room - COLUMN_WIDTH) / 2)
    );
    this._version++;
    this._update();
    const header = Array.from(
      this._header?.node.querySelectorAll<HTMLElement>('[data-path]') ?? []
    ).find(cell => cell.dataset.path === path);
    header
      ?.querySelector<HTMLElement>('.jp-NbCompare-colName')
      ?.focus({ preventScroll: true });
    return true;
  }

  /** Rebuild every row from the model, keeping the scroll position. */
  rebuild(): void {
    const { model, trans } = this._options;
    const top = this.node.scrollTop;
    const left = this.node.scrollLeft;
    // Keep the keyboard user's place: the focused control is redrawn below.
    this._focus = focusKeyOf(this.node) ?? this._focus;
    for (const row of this._rows) {
      row.disposables.dispose();
    }
    this._rows = [];
    const paths = model.paths;
    this._content.replaceChildren();
    this._content.style.width = `${LABEL_WIDTH + paths.length * COLUMN_WIDTH}px`;
    this._version++;

    this._header = this._makeRow(
      'header',
      'jp-NbCompare-headerRow',
      0,
      (row, first, last) => this._renderHeader(row, first, last)
    );
    const data = model.data;
    if (data) {
      const params = model.parameters;
      const metrics = model.metrics;
      const others = model.others;
      if (params.length > 0) {
        this._section('params', trans.__('Parameters'), params.length);
        for (const param of params) {
          this._makeRow(
            `p:${param.name}`,
            'jp-NbCompare-paramRow',
            28,
            (row, first, last) => this._renderParameter(row, param, first, last)
          );
        }
      }
      if (metrics.length > 0) {
        this._section('metrics', trans.__('Metrics'), metrics.length);
        for (const metric of metrics) {
          this._makeRow(
            `m:${metric.id}`,
            'jp-NbCompare-metricRow',
            48,
            (row, first, last) => this._renderMetric(row, metric, first, last)
          );
        }
      }
      if (others.length > 0) {
        this._section('values', trans.__('Outputs'), others.length);
        for (const value of others) {
          this._makeRow(
            `v:${value.origin}:${value.name}`,
            `jp-NbCompare-valueRow jp-mod-kind-${value.kind}`,
            value.kind === 'image' ? 180 : 120,
            (row, first, last) => this._renderValue(row, value, first, last)
          );
        }
      }
      if (params.length + metrics.length + others.length === 0) {
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
    }
    this.node.scrollTop = top;
    this.node.scrollLeft = left;
    this._renderCount++;
    this._update();
    this.node.dataset.renderCount = String(this._renderCount);
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
    const count = this._options.model.paths.length;
    const width = this.node.clientWidth || 4 * COLUMN_WIDTH + LABEL_WIDTH;
    const left = this.node.scrollLeft;
    const first = Math.max(
      0,
      Math.floor(left / COLUMN_WIDTH) - OVERSCAN_COLUMNS
    );
    const last = Math.min(
      count - 1,
      Math.ceil((left + width - LABEL_WIDTH) / COLUMN_WIDTH) + OVERSCAN_COLUMNS
    );
    return [first, last];
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

  /** Fill a row: sticky label, a spacer for the columns before the window, then cells. */
  private _fill(
    row: IRow,
    label: HTMLElement,
    first: number,
    last: number,
    cell: (path: string, index: number) => HTMLElement
  ): void {
    const paths = this._options.model.paths;
    const baseline = this._options.model.dataBaseline;
    const nodes: HTMLElement[] = [label];
    nodes.push(
      h('div', {
        className: 'jp-NbCompare-spacer',
        attrs: { style: `width:${first * COLUMN_WIDTH}px` }
      })
    );
    for (let i = first; i <= last && i < paths.length; i++) {
      const path = paths[i];
      const node = h(
        'div',
        {
          className: `jp-NbCompare-cell${path === baseline ? ' jp-mod-baseline' : ''}${path === this._highlight ? ' jp-mod-highlighted' : ''}`,
          attrs: { role: 'cell', 'data-path': path, 'data-column': String(i) }
        },
        [cell(path, i)]
      );
      nodes.push(node);
    }
    row.node.replaceChildren(...nodes);
  }

  private _label(
    text: string,
    title: string,
    extra: (HTMLElement | null)[] = [],
    differs: boolean | null = null
  ): HTMLElement {
    const { trans } = this._options;
    return h(
      'div',
      {
        className: 'jp-NbCompare-label',
        title,
        attrs: { role: 'rowheader' }
      },
      [
        h('span', { className: 'jp-NbCompare-labelText', text }),
        differs === null
          ? null
          : h('span', {
              className: `jp-NbCompare-differs${differs ? ' jp-mod-differs' : ''}`,
              text: differs ? '\u2260' : '=',
              title: differs
                ? trans.__('differs across notebooks')
                : trans.__('the same in every notebook'),
              attrs: {
                'aria-label': differs ? trans.__('differs') : trans.__('same')
              }
            }),
        ...extra
      ]
    );
  }

  private _renderHeader(row: IRow, first: number, last: number): void {
    const { model, trans, pin } = this._options;
    const infos = new Map<string, INotebookInfo>(
      model.notebooks.map(nb => [nb.path, nb])
    );
    const corner = h(
      'div',
      { className: 'jp-NbCompare-label jp-NbCompare-corner' },
      [
        h('span', {
          text: trans.__('%1 notebooks', model.paths.length)
        })
      ]
    );
    this._fill(row, corner, first, last, path =>
      renderColumnHeader({
        trans,
        path,
        info: infos.get(path) ?? null,
        isBaseline: path === model.baseline,
        failure: failureOf(model, path),
        onSetBaseline: () => void model.setBaseline(path),
        isPinned: pin ? pin.path === path : undefined,
        onTogglePin: pin
          ? () => pin.set(pin.path === path ? null : path)
          : undefined,
        onOpen: () =>
          this._options.openSource({ path, name: '', origin: 'tag' })
      })
    );
  }

  private _renderParameter(
    row: IRow,
    param: IParameterRow,
    first: number,
    last: number
  ): void {
    const { trans } = this._options;
    row.node.classList.toggle('jp-mod-differs', param.differs);
    this._fill(
      row,
      this._label(param.name, param.name, [], param.differs),
      first,
      last,
      path =>
        h(
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
        )
    );
  }

  private _renderMetric(
    row: IRow,
    metric: IMetricRow,
    first: number,
    last: number
  ): void {
    const { model, trans } = this._options;
    const best = bestPaths(metric, model.paths);
    const hint =
      metric.direction === 'lower'
        ? trans.__('\u2193 lower is better')
        : metric.direction === 'higher'
          ? trans.__('\u2191 higher is better')
          : '';
    const label = this._label(
      metric.label,
      `${metric.label} (${metric.origin})${hint ? `\n${hint}` : ''}`,
      [
        hint
          ? h('span', { className: 'jp-NbCompare-direction', text: hint })
          : null
      ],
      metric.differs
    );
    this._fill(row, label, first, last, path =>
      renderMetricCell({
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
      })
    );
  }

  private _renderValue(
    row: IRow,
    value: IValueRow,
    first: number,
    last: number
  ): void {
    const { model, trans, rendermime } = this._options;
    const baseCell = value.cells[model.dataBaseline] ?? null;
    const differs = valueRowDiffers(value, model.paths);
    const label = this._label(
      value.name,
      `${value.name} (${value.origin}, ${value.kind})`,
      [
        h('span', {
          className: 'jp-NbCompare-kind',
          text: `${value.kind} · ${value.origin}`
        })
      ],
      differs
    );
    this._fill(row, label, first, last, path => {
      const context: IViewContext = {
        trans,
        row: value,
        path,
        baseline: model.dataBaseline,
        baseCell,
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
            'aria-label': trans.__(
              'Open %1 at the cell of %2',
              path,
              value.name
            )
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
    });
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

/** The first exception a failed run shows among its values ("Name: value"). */
function failureOf(model: CompareModel, path: string): string | null {
  for (const row of model.data?.values ?? []) {
    const cell = row.cells[path];
    if (cell && cell.kind === 'error') {
      return `${cell.ename}: ${cell.evalue}`;
    }
  }
  return null;
}
