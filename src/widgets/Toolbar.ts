import { TranslationBundle } from '@jupyterlab/translation';
import {
  downloadIcon,
  filterIcon,
  LabIcon,
  notebookIcon,
  refreshIcon
} from '@jupyterlab/ui-components';
import { Widget } from '@lumino/widgets';

import { CompareModel } from '../model';
import { chartIcon } from './ChartPane';
import { h, icon } from './dom';

/** The export formats offered by the toolbar. */
export type ExportFormat = 'html' | 'csv' | 'markdown' | 'notebook';

/** Options of a {@link CompareToolbar}. */
export interface ICompareToolbarOptions {
  model: CompareModel;
  trans: TranslationBundle;
  onExport: (format: ExportFormat) => void;
  /** Whether "Export as comparison notebook" is offered. */
  canExportNotebook: boolean;
  /** Show or hide the chart pane; the button shows only when given. */
  onToggleCharts?: () => void;
}

/**
 * The panel's toolbar: name filter, "Only differences" toggle, refresh and
 * the exports. Every control is a real `<input>` or `<button>` (keyboard
 * reachable, visible focus); the toggle reports its state with
 * `aria-pressed`.
 */
export class CompareToolbar extends Widget {
  constructor(options: ICompareToolbarOptions) {
    super();
    const { model, trans } = options;
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
    this.node.append(
      h('label', { className: 'jp-NbCompare-filterBox' }, [
        icon(filterIcon),
        this._filter
      ]),
      this._only,
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
  private _charts: HTMLButtonElement | null;
}
