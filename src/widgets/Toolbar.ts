import { TranslationBundle } from '@jupyterlab/translation';
import {
  downloadIcon,
  filterIcon,
  LabIcon,
  notebookIcon,
  refreshIcon,
  saveIcon,
  tableRowsIcon
} from '@jupyterlab/ui-components';
import { Widget } from '@lumino/widgets';

import { CompareModel } from '../model';
import { chartIcon } from './ChartPane';
import { h, icon } from './dom';
import { GroupByControl } from './GroupByControl';

/** The export formats offered by the toolbar. */
export type ExportFormat = 'html' | 'csv' | 'markdown' | 'notebook' | 'view';

/** Options of a {@link CompareToolbar}. */
export interface ICompareToolbarOptions {
  model: CompareModel;
  trans: TranslationBundle;
  onExport: (format: ExportFormat) => void;
  /** Whether "Export as comparison notebook" is offered. */
  canExportNotebook: boolean;
  /** Whether "Save View As…" is offered (a comparison not saved as a view). */
  canSaveView?: boolean;
  /** Show or hide the chart pane; the button shows only when given. */
  onToggleCharts?: () => void;
}

/**
 * The panel's toolbar: name filter, "Only differences" toggle, "Group by",
 * the sort, "Runs as rows", refresh and the exports. Every control is a
 * real `<input>`, `<select>` or `<button>` (keyboard reachable, visible
 * focus); the toggles report their state with `aria-pressed`.
 */
export class CompareToolbar extends Widget {
  constructor(options: ICompareToolbarOptions) {
    super();
    const { model, trans } = options;
    this._trans = trans;
    this.addClass('jp-NbCompare-toolbar');
    this.node.setAttribute('role', 'toolbar');
    this.node.setAttribute('aria-label', trans.__('Comparison'));

    this._filter = h('input', {
      className: 'jp-NbCompare-filter',
      attrs: {
        type: 'search',
        placeholder: trans.__('Filter names'),
        'aria-label': trans.__('Filter names'),
        spellcheck: 'false'
      }
    });
    this._filter.value = model.filter;
    this._filter.addEventListener('input', () => {
      model.filter = this._filter.value;
    });

    this._only = this._button(
      filterIcon,
      trans.__('Only differences'),
      trans.__(
        'Hide rows that are equal in every notebook (a value missing somewhere counts as a difference)'
      ),
      () => {
        model.onlyDifferences = !model.onlyDifferences;
      },
      'jp-NbCompare-onlyDiff'
    );
    this._groupBy = new GroupByControl(model, trans);
    this._sort = h('select', {
      className: 'jp-NbCompare-sort',
      attrs: {
        'aria-label': trans.__('Sort the columns by'),
        title: trans.__(
          'Sort the columns (runs or groups) by a metric, best first by its direction; the baseline stays first'
        )
      }
    });
    this._sort.addEventListener('change', () => {
      model.sortBy = this._sort.value || null;
    });
    this._rows = this._button(
      tableRowsIcon,
      trans.__('Runs as rows'),
      trans.__(
        'Show the runs (or groups) as rows and the values as columns, for wide sweeps'
      ),
      () => {
        model.layout = model.layout === 'rows' ? 'columns' : 'rows';
      },
      'jp-NbCompare-layoutRows'
    );
    const refresh = this._button(
      refreshIcon,
      trans.__('Refresh'),
      trans.__('Read the notebooks again'),
      () => void model.refresh(),
      'jp-NbCompare-refresh'
    );
    this._charts = options.onToggleCharts
      ? this._button(
          chartIcon,
          trans.__('Charts'),
          trans.__(
            'Show a scatter of a metric against a parameter and parallel coordinates'
          ),
          options.onToggleCharts,
          'jp-NbCompare-chartsToggle'
        )
      : null;
    const exports = h('span', {
      className: 'jp-NbCompare-exports',
      attrs: { role: 'group', 'aria-label': trans.__('Export') }
    });
    const formats: [ExportFormat, string, string][] = [
      [
        'html',
        trans.__('HTML'),
        trans.__(
          'Save this view as a self-contained HTML report (images embedded)'
        )
      ],
      [
        'csv',
        trans.__('CSV (wide)'),
        trans.__(
          'Save as wide CSV: one row per value (status, parameters, metrics), one column per notebook'
        )
      ],
      ['markdown', trans.__('Markdown'), trans.__('Save this view as Markdown')]
    ];
    for (const [format, label, caption] of formats) {
      exports.appendChild(
        this._button(
          downloadIcon,
          label,
          caption,
          () => options.onExport(format),
          `jp-NbCompare-export-${format}`
        )
      );
    }
    if (options.canExportNotebook) {
      exports.appendChild(
        this._button(
          notebookIcon,
          trans.__('Comparison notebook'),
          trans.__(
            'Export as comparison notebook: a notebook that reproduces this comparison with the Python API'
          ),
          () => options.onExport('notebook'),
          'jp-NbCompare-export-notebook'
        )
      );
    }
    if (options.canSaveView) {
      exports.appendChild(
        this._button(
          saveIcon,
          trans.__('Save View As…'),
          trans.__(
            'Save this comparison as a .nbcompare view file: reopen it, share it, or run it with jupyter nbcompare'
          ),
          () => options.onExport('view'),
          'jp-NbCompare-export-view'
        )
      );
    }
    this.node.append(
      h('label', { className: 'jp-NbCompare-filterBox' }, [
        icon(filterIcon),
        this._filter
      ]),
      this._only,
      this._groupBy.node,
      h('label', { className: 'jp-NbCompare-sortBox' }, [
        h('span', { text: trans.__('Sort:') }),
        this._sort
      ]),
      this._rows,
      this._charts ?? '',
      refresh,
      h('span', { className: 'jp-NbCompare-toolbarSpacer' }),
      h('span', {
        className: 'jp-NbCompare-exportLabel',
        text: trans.__('Export:')
      }),
      exports
    );
    this.sync(model);
  }

  /** Reflect the model's toggles (after a change elsewhere). */
  sync(model: CompareModel): void {
    this._only.setAttribute(
      'aria-pressed',
      model.onlyDifferences ? 'true' : 'false'
    );
    this._only.classList.toggle('jp-mod-active', model.onlyDifferences);
    if (this._filter.value !== model.filter) {
      this._filter.value = model.filter;
    }
    const rows = model.layout === 'rows';
    this._rows.setAttribute('aria-pressed', rows ? 'true' : 'false');
    this._rows.classList.toggle('jp-mod-active', rows);
    this._groupBy.sync();
    this._syncSort(model);
  }

  /** Dispose of the group-by control's document listener. */
  dispose(): void {
    if (this.isDisposed) {
      return;
    }
    this._groupBy.dispose();
    super.dispose();
  }

  /** The sort's options: the notebooks' order, then every metric. */
  private _syncSort(model: CompareModel): void {
    const rows = model.sortableRows;
    const signature = rows.map(row => `${row.id}:${row.direction}`).join('|');
    if (signature !== this._sortSignature) {
      this._sortSignature = signature;
      const options = [
        h('option', {
          text: this._trans.__('notebook order'),
          attrs: { value: '' }
        }),
        ...rows.map(row =>
          h('option', {
            text:
              row.direction === 'lower'
                ? this._trans.__('%1 (lowest first)', row.label)
                : row.direction === 'higher'
                  ? this._trans.__('%1 (highest first)', row.label)
                  : this._trans.__('%1 (ascending)', row.label),
            attrs: { value: row.id }
          })
        )
      ];
      this._sort.replaceChildren(...options);
    }
    const value = model.sortRow?.id ?? '';
    if (this._sort.value !== value) {
      this._sort.value = value;
    }
  }

  /** Reflect whether the chart pane is shown. */
  setChartsShown(shown: boolean): void {
    this._charts?.setAttribute('aria-pressed', shown ? 'true' : 'false');
    this._charts?.classList.toggle('jp-mod-active', shown);
  }

  private _button(
    labIcon: LabIcon,
    label: string,
    caption: string,
    onClick: () => void,
    className: string
  ): HTMLButtonElement {
    return h(
      'button',
      {
        className: `jp-NbCompare-toolbarButton ${className}`,
        title: caption,
        onClick
      },
      [icon(labIcon), h('span', { text: label })]
    );
  }

  private _filter: HTMLInputElement;
  private _only: HTMLButtonElement;
  private _groupBy: GroupByControl;
  private _sort: HTMLSelectElement;
  private _sortSignature = '\u0000';
  private _rows: HTMLButtonElement;
  private _trans: TranslationBundle;
  private _charts: HTMLButtonElement | null;
}
