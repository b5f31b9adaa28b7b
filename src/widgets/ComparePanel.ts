import { Dialog, Notification } from '@jupyterlab/apputils';
import { PathExt } from '@jupyterlab/coreutils';
import { IRenderMimeRegistry } from '@jupyterlab/rendermime';
import { Contents } from '@jupyterlab/services';
import {
  ITranslator,
  nullTranslator,
  TranslationBundle
} from '@jupyterlab/translation';
import { Message } from '@lumino/messaging';
import { Panel, PanelLayout, Widget } from '@lumino/widgets';
import { ISignal, Signal } from '@lumino/signaling';

import {
  cellText,
  comparisonHtml,
  comparisonMarkdown,
  fetchDataURIs,
  imageUrls,
  metricsCsv,
  saveExport
} from '../export';
import { newViewText, stateOfModel } from '../documents/adapter';
import {
  buildComparisonNotebook,
  exportFolder,
  IComparisonSpec
} from '../exportNotebook';
import { IExportRequest, IExportSaver } from '../exportsaver';
import { GridLayout } from '../columns';
import { basename } from '../format';
import { compareIcon } from '../icons';
import { CompareModel, GroupKey, StatFetcher } from '../model';
import { serverURL } from '../request';
import { IBaselinePin, ICell, IImageCell, IValueRow } from '../tokens';
import { h } from './dom';
import { Grid, ISourceTarget } from './Grid';
import { ImageCompare } from './ImageCompare';
import { CompareToolbar, ExportFormat } from './Toolbar';
import { baselineParts } from './ValueCell';
import { IChartOptions } from '../charts';
import { ChartPane } from './ChartPane';

/** Options of a comparison panel. */
export interface IComparePanelOptions {
  paths: string[];
  baseline?: string;
  names?: string[];
  /** Group the runs by these flattened parameters. */
  groupBy?: string[];
  /** Sort the columns by this metrics row (`tag:mse`, or a label). */
  sortBy?: string | null;
  /** Notebooks as columns (default) or as rows. */
  layout?: GridLayout;
  /** The groups shown with their runs (restored after a reload). */
  expanded?: GroupKey[];
  translator?: ITranslator;
  /** Renders html outputs (untrusted). */
  rendermime?: IRenderMimeRegistry | null;
  /** The shared baseline pin, followed when it is one of `paths`. */
  pin?: IBaselinePin | null;
  /** Contents service: live refresh and saving exports. */
  contents?: Contents.IManager | null;
  /** Open a notebook at the cell that produced a value. */
  openSource?: (target: ISourceTarget) => void;
  /** Open a file (an export) in JupyterLab. */
  openPath?: (path: string) => void;
  /** Export as comparison notebook; the button shows only when given. */
  exportNotebook?: (spec: IComparisonSpec) => Promise<string>;
  /**
   * Asks where each export goes and never overwrites without asking;
   * without it, exports go beside the baseline under a free name.
   */
  saver?: IExportSaver | null;
  /** The folder exports are suggested in (a view's own); else the saver's or the baseline's. */
  exportFolder?: string | null;
  /** Offer "Save View As…" (a comparison that is not a view file yet; needs `saver`). */
  canSaveView?: boolean;
  /** Sanitize html for the HTML report. */
  sanitize?: (html: string) => string;
  /** Live refresh period in ms (0 disables polling). */
  pollInterval?: number;
  /** A ready model (tests); built from the options otherwise. */
  model?: CompareModel;
  /** Open with the chart pane showing this chart. */
  chart?: IChartOptions | null;
  /** Open with the chart pane shown (its default chart without `chart`). */
  showCharts?: boolean;
}

/** Live refresh: how often last-modified times are read, in ms. */
export const POLL_INTERVAL = 3000;

/**
 * Last-modified times of notebooks, read cheaply: one directory listing per
 * folder (no notebook content), whatever the number of notebooks.
 */
export function statByFolder(contents: Contents.IManager): StatFetcher {
  return async (paths: string[]) => {
    const folders = new Map<string, string[]>();
    for (const path of paths) {
      const folder = PathExt.dirname(path);
      folders.set(folder, [...(folders.get(folder) ?? []), path]);
    }
    const result: Record<string, string | null> = {};
    await Promise.all(
      Array.from(folders.keys()).map(async folder => {
        const listing = await contents.get(folder, { content: true });
        const times = new Map<string, string>();
        for (const item of (listing.content ?? []) as Contents.IModel[]) {
          times.set(item.path, item.last_modified);
        }
        for (const path of folders.get(folder)!) {
          result[path] = times.get(path) ?? null;
        }
      })
    );
    return result;
  };
}

/**
 * The main-area panel of one comparison: toolbar, status line and the
 * windowed grid, all driven by a {@link CompareModel}.
 */
export class ComparePanel extends Widget {
  constructor(options: IComparePanelOptions) {
    super();
    this._options = options;
    const trans = (this._trans = (options.translator ?? nullTranslator).load(
      'jupyterlab_nbcompare'
    ));
    this.paths = [...options.paths];
    const contents = options.contents ?? null;
    this.model =
      options.model ??
      new CompareModel({
        paths: this.paths,
        baseline: options.baseline,
        pinned: options.pin?.path ?? null,
        names: options.names,
        stat: contents ? statByFolder(contents) : undefined,
        groupBy: options.groupBy,
        sortBy: options.sortBy,
        layout: options.layout,
        expanded: options.expanded
      });
    this.addClass('jp-NbCompare-panel');
    this.title.label = trans.__('Compare %1 notebooks', this.paths.length);
    this.title.caption = this.paths.join('\n');
    this.title.icon = compareIcon;
    this.title.closable = true;

    const layout = (this.layout = new PanelLayout());
    this._toolbar = new CompareToolbar({
      model: this.model,
      trans,
      onExport: format => void this._export(format),
      canExportNotebook: !!options.exportNotebook,
      canSaveView: !!options.canSaveView && !!options.saver,
      onToggleCharts: () => this.toggleCharts()
    });
    this._status = new Widget();
    this._status.addClass('jp-NbCompare-statusBar');
    this._status.node.setAttribute('aria-live', 'polite');
    this._grid = new Grid({
      model: this.model,
      trans,
      rendermime: options.rendermime ?? null,
      openSource: target => options.openSource?.(target),
      openImage: (path, row, part) => void this._openImage(path, row, part),
      pin: options.pin ?? null
    });
    this._charts = new ChartPane({
      model: this.model,
      trans,
      rendermime: options.rendermime ?? null,
      chart: options.chart ?? null,
      onSelect: path => this._grid.revealColumn(path)
    });
    const showCharts = !!options.chart || !!options.showCharts;
    this._charts.setHidden(!showCharts);
    this._toolbar.setChartsShown(showCharts);
    layout.addWidget(this._toolbar);
    layout.addWidget(this._status);
    layout.addWidget(this._charts);
    layout.addWidget(this._grid);

    this.model.changed.connect(this._onModelChanged, this);
    options.pin?.changed.connect(this._onPinChanged, this);
    contents?.fileChanged.connect(this._onFileChanged, this);
    const period = options.pollInterval ?? POLL_INTERVAL;
    if (period > 0 && contents) {
      this._timer = window.setInterval(() => this._poll(), period);
    }
    this._renderStatus();
    this._syncDataset();
    this._grid.rebuild();
    void this.model.refresh();
  }

  /** The compared notebooks, in column order. */
  readonly paths: string[];

  /** The state of this comparison. */
  readonly model: CompareModel;

  /** The names the comparison is restricted to (tag browser), if any. */
  get names(): string[] | undefined {
    return this.model.names;
  }

  /** The baseline the user chose, or null for the pin or the default. */
  get requestedBaseline(): string | null {
    return this.model.requestedBaseline;
  }

  /** The parameters the runs are grouped by (restored after a reload). */
  get groupBy(): string[] {
    return this.model.groupBy;
  }

  /** The metrics row the columns are sorted by (restored after a reload). */
  get sortBy(): string | null {
    return this.model.sortBy;
  }

  /** Notebooks as columns or as rows (restored after a reload). */
  get gridLayout(): GridLayout {
    return this.model.layout;
  }

  /** The keys of the expanded groups (restored after a reload). */
  get expanded(): GroupKey[] {
    return this.model.expanded;
  }

  /** The chart the chart pane shows, or null when the pane is hidden. */
  get chart(): IChartOptions | null {
    return this._charts.isHidden ? null : this._charts.chart;
  }

  /** Whether the chart pane is shown (restored after a reload). */
  get chartsShown(): boolean {
    return !this._charts.isHidden;
  }

  /** The chart pane (shown or hidden). */
  get charts(): ChartPane {
    return this._charts;
  }

  /** Emitted when the chart pane is shown or hidden (a saved view records it). */
  get chartToggled(): ISignal<this, boolean> {
    return this._chartToggled;
  }

  /** Show or hide the chart pane (toggle without an argument). */
  toggleCharts(show?: boolean): void {
    const shown = show ?? this._charts.isHidden;
    const changed = shown === this._charts.isHidden;
    this._charts.setHidden(!shown);
    this._toolbar.setChartsShown(shown);
    if (changed) {
      this._chartToggled.emit(shown);
    }
  }

  /** Stop polling and listening, then dispose of the model. */
  dispose(): void {
    if (this.isDisposed) {
      return;
    }
    window.clearInterval(this._timer);
    window.clearTimeout(this._fileTimer);
    this._options.pin?.changed.disconnect(this._onPinChanged, this);
    this._options.contents?.fileChanged.disconnect(this._onFileChanged, this);
    this.model.dispose();
    super.dispose();
  }

  protected onActivateRequest(msg: Message): void {
    super.onActivateRequest(msg);
    this._grid.node.focus();
  }

  private _poll(): void {
    if (this.isVisible && document.visibilityState !== 'hidden') {
      void this.model.checkForChanges();
    }
  }

  private _onModelChanged(_: CompareModel, change: string): void {
    if (change === 'status') {
      this._renderStatus();
      return;
    }
    this._toolbar.sync(this.model);
    this._syncDataset();
    this._grid.rebuild();
  }

  /** State for tests and styles: the baseline, grouping, sort and layout. */
  private _syncDataset(): void {
    const model = this.model;
    this.node.dataset.baseline = model.baseline;
    this.node.dataset.groupBy = model.groupBy.join(',');
    this.node.dataset.grouped = model.groups ? 'true' : 'false';
    this.node.dataset.sortBy = model.sortBy ?? '';
    this.node.dataset.layout = model.layout;
  }

  private _onPinChanged(_: IBaselinePin, path: string | null): void {
    // The headers show which column is pinned: redraw them even when the
    // baseline itself stays (unpinning keeps the current baseline).
    this._grid.rebuild();
    void this.model.setPinned(path);
  }

  private _onFileChanged(
    _: Contents.IManager,
    change: Contents.IChangedArgs
  ): void {
    const touched = [change.newValue?.path, change.oldValue?.path];
    if (touched.some(path => path && this.paths.includes(path))) {
      window.clearTimeout(this._fileTimer);
      this._fileTimer = window.setTimeout(() => {
        void this.model.checkForChanges();
      }, 300);
    }
  }

  private _renderStatus(): void {
    const trans = this._trans;
    const { loading, error, errorIsNetwork, data } = this.model;
    const nodes: HTMLElement[] = [];
    if (loading) {
      nodes.push(
        h(
          'div',
          {
            className: 'jp-NbCompare-progress',
            attrs: {
              role: 'progressbar',
              'aria-label': trans.__('Comparing notebooks…')
            }
          },
          [h('div', { className: 'jp-NbCompare-progressBar' })]
        )
      );
      if (!data) {
        nodes.push(
          h('div', {
            className: 'jp-NbCompare-loading',
            text: trans.__('Comparing %1 notebooks…', this.paths.length)
          })
        );
      }
    }
    if (error) {
      nodes.push(
        h('div', {
          className: 'jp-NbCompare-error',
          text: errorIsNetwork
            ? trans.__('The server could not be reached: %1', error)
            : trans.__('The comparison failed: %1', error),
          attrs: { role: 'alert' }
        })
      );
    }
    this._status.node.replaceChildren(...nodes);
    this.node.dataset.loading = loading ? 'true' : 'false';
  }

  /**
   * The enlarged image, or against the baseline the image tools. A cell with
   * several outputs shows every one, each against the baseline's output at
   * the same position and with its own tools, scrolled to the one clicked.
   */
  private async _openImage(
    path: string,
    row: IValueRow,
    part?: number
  ): Promise<void> {
    const trans = this._trans;
    const cell = row.cells[path];
    if (!cell) {
      return;
    }
    const baseline = this.model.dataBaseline;
    const parts = cell.parts && cell.parts.length > 1 ? cell.parts : null;
    const baseParts = baselineParts(row.cells[baseline] ?? null);
    const compareWith = (base: ICell | null | undefined) =>
      path !== baseline && base && base.kind === 'image' ? base : null;
    const imageCompare = (image: IImageCell, base: IImageCell | null) =>
      new ImageCompare({
        trans,
        name: row.name,
        url: serverURL(image.url),
        path,
        baseUrl: base ? serverURL(base.url) : null,
        basePath: baseline
      });
    let body: Widget;
    let compare: boolean;
    if (parts) {
      const panel = new Panel();
      panel.addClass('jp-NbCompare-partsCompare');
      compare = false;
      parts.forEach((item, index) => {
        const base = baseParts[index] ?? null;
        const section = new Panel();
        section.addClass('jp-NbCompare-partCompare');
        section.node.dataset.part = String(index);
        const heading = new Widget({
          node: h('h3', {
            className: 'jp-NbCompare-partLabel',
            text: trans.__('Output %1 of %2', index + 1, parts.length)
          })
        });
        section.addWidget(heading);
        if (item.kind === 'image') {
          const against = compareWith(base) as IImageCell | null;
          compare = compare || !!against;
          section.addWidget(imageCompare(item, against));
        } else {
          section.addWidget(
            new Widget({
              node: h('pre', {
                className: 'jp-NbCompare-text',
                text: cellText(item, base, path === baseline)
              })
            })
          );
        }
        panel.addWidget(section);
      });
      body = panel;
    } else {
      if (cell.kind !== 'image') {
        return;
      }
      const against = compareWith(row.cells[baseline]) as IImageCell | null;
      compare = !!against;
      body = imageCompare(cell, against);
    }
    const dialog = new Dialog({
      title: compare
        ? trans.__(
            '%1: %2 against %3',
            row.name,
            basename(path),
            basename(baseline)
          )
        : trans.__('%1: %2', row.name, basename(path)),
      body,
      buttons: [Dialog.cancelButton({ label: trans.__('Close') })]
    });
    dialog.addClass('jp-NbCompare-imageDialog');
    const launched = dialog.launch();
    if (parts && part !== undefined) {
      requestAnimationFrame(() =>
        body.node
          .querySelector(`[data-part="${part}"]`)
          ?.scrollIntoView({ block: 'start' })
      );
    }
    await launched;
    dialog.dispose();
  }

  private async _export(format: ExportFormat): Promise<void> {
    const trans = this._trans;
    const contents = this._options.contents;
    const saver = this._options.saver;
    try {
      let path: string;
      if (saver && contents) {
        const saved = await saver.save(await this._exportRequest(format));
        if (!saved) {
          return; // the user cancelled
        }
        path = saved.path;
        if (format === 'view') {
          this._options.openPath?.(path);
        }
      } else if (format === 'notebook') {
        path = await this._options.exportNotebook!({
          paths: this.paths,
          baseline: this.model.baseline,
          names: this.model.names ?? null,
          groupBy: this.model.groupBy
        });
      } else {
        if (!contents || !this.model.data || format === 'view') {
          return;
        }
        const { extension, text } = await this._exportText(format);
        path = (
          await saveExport(contents, exportFolder(this.model), extension, text)
        ).path;
      }
      this.node.dataset.lastExport = path;
      Notification.success(trans.__('Saved %1', path), {
        autoClose: 5000,
        actions: this._options.openPath
          ? [
              {
                label: trans.__('Open'),
                callback: () => this._options.openPath!(path)
              }
            ]
          : []
      });
    } catch (reason) {
      Notification.error(
        trans.__(
          'The export failed: %1',
          String((reason as Error)?.message ?? reason)
        )
      );
    }
  }

  /** The text of a report export, made from what is on screen now. */
  private async _exportText(
    format: 'html' | 'csv' | 'markdown'
  ): Promise<{ extension: string; text: string }> {
    const trans = this._trans;
    if (format === 'csv') {
      return { extension: 'csv', text: metricsCsv(this.model) };
    }
    if (format === 'markdown') {
      return { extension: 'md', text: comparisonMarkdown(this.model, trans) };
    }
    const images = await fetchDataURIs(imageUrls(this.model));
    return {
      extension: 'html',
      text: comparisonHtml(this.model, trans, {
        images,
        sanitize: this._options.sanitize
      })
    };
  }

  /** What the saver asks and writes for one export. */
  private async _exportRequest(format: ExportFormat): Promise<IExportRequest> {
    const trans = this._trans;
    const model = this.model;
    const paths = [...this.paths];
    const folder =
      this._options.exportFolder ??
      this._options.saver?.folder ??
      exportFolder(model);
    // Beside a view file ('' for one at the root) there is no folder to keep.
    const offerRemember = typeof this._options.exportFolder !== 'string';
    if (format === 'notebook') {
      const spec = {
        paths,
        baseline: model.baseline,
        names: model.names ?? null,
        groupBy: model.groupBy
      };
      return {
        folder,
        stem: 'comparison',
        extension: 'ipynb',
        label: trans.__('comparison notebook'),
        offerRemember,
        content: target => ({
          type: 'notebook',
          format: 'json',
          content: buildComparisonNotebook(spec, target)
        })
      };
    }
    if (format === 'view') {
      // A view has no pin: the baseline on screen (pinned, or moved off an
      // unreadable first run) is written unless it is the view's default.
      const state = {
        ...stateOfModel(model, this.chart),
        baseline:
          model.requestedBaseline ??
          (model.baseline !== paths[0] ? model.baseline : null)
      };
      return {
        folder,
        stem: 'comparison',
        extension: 'nbcompare',
        label: trans.__('view'),
        offerRemember,
        content: target => ({
          type: 'file',
          format: 'text',
          content: newViewText(paths, state, target)
        })
      };
    }
    const { extension, text } = await this._exportText(format);
    const labels = {
      html: trans.__('HTML report'),
      csv: trans.__('CSV table'),
      markdown: trans.__('Markdown report')
    };
    return {
      folder,
      stem: 'comparison',
      extension,
      label: labels[format],
      offerRemember,
      content: () => ({ type: 'file', format: 'text', content: text })
    };
  }

  private _options: IComparePanelOptions;
  private _trans: TranslationBundle;
  private _toolbar: CompareToolbar;
  private _status: Widget;
  private _grid: Grid;
  private _charts: ChartPane;
  private _chartToggled = new Signal<this, boolean>(this);
  private _timer = 0;
  private _fileTimer = 0;
}
