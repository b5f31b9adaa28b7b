import { JupyterFrontEnd } from '@jupyterlab/application';
import { ICommandPalette, WidgetTracker } from '@jupyterlab/apputils';
import { IDocumentManager } from '@jupyterlab/docmanager';
import { IDefaultFileBrowser } from '@jupyterlab/filebrowser';
import { IRenderMimeRegistry } from '@jupyterlab/rendermime';
import { ITranslator } from '@jupyterlab/translation';

import { GridLayout } from './columns';
import { chartArg, IChartOptions } from './charts';
import { saveComparisonNotebook } from './exportNotebook';
import { IExportSaver } from './exportsaver';
import {
  isCompareEnabled,
  isCompareVisible,
  selectedNotebooks,
  TickTracker
} from './selection';
import { compareIcon } from './icons';
import { IComparisonOpener } from './shells/tokens';
import { GroupKey } from './model';
import { IBaselinePin } from './tokens';
import { ComparePanel, IComparePanelOptions } from './widgets/ComparePanel';
import { RunView } from './widgets/RunView';
export { findSourceCell } from './source';
import { ISourceTarget } from './widgets/Grid';

/** Every command id of the extension. */
export namespace CommandIDs {
  export const compare = 'nbcompare:compare';
  export const pinBaseline = 'nbcompare:pin-baseline';
  export const unpinBaseline = 'nbcompare:unpin-baseline';
  export const openSource = 'nbcompare:open-source';
}

/** Arguments of `nbcompare:compare`. */
export interface ICompareArgs {
  paths?: string[];
  baseline?: string;
  names?: string[];
  /** Group the runs by these flattened parameters (`model_params.C`). */
  groupBy?: string[];
  /** Sort the columns by a metric (`tag:mse`, or a label such as `mse`). */
  sortBy?: string;
  /** `rows` shows the runs as rows. */
  layout?: GridLayout;
  /**
   * The groups shown with their runs, each by its `group_by` values
   * (`[{model: 'lasso'}]`); only with `groupBy`.
   */
  expanded?: GroupKey[];
  /**
   * Open the chart pane with this chart (see `charts.ts`: names of
   * parameters or metrics, `param:`/`metric:` to say which).
   */
  chart?: { x: string; y: string; color?: string | null; logX?: boolean };
  /** Open the chart pane (with `chart`, or the default chart without it). */
  charts?: boolean;
}

/** What the layout restorer needs to know of a comparison. */
export interface IRestorableComparison {
  paths: string[];
  names?: string[];
  requestedBaseline: string | null;
  groupBy?: string[];
  sortBy?: string | null;
  gridLayout?: GridLayout;
  /** The keys of the expanded groups. */
  expanded?: GroupKey[];
  /** The chart pane's chart, when it is shown. */
  chart?: IChartOptions | null;
  /** Whether the chart pane is shown (before it has a chart, too). */
  chartsShown?: boolean;
}

/**
 * The command arguments that reopen the same comparison after a reload:
 * the notebooks, the name filter of a tag-browser comparison, the
 * baseline the user chose (a pin or the default are worked out again), and
 * the grouping (with the groups expanded), sort and layout.
 */
export function restoreArgs(panel: IRestorableComparison): ICompareArgs {
  const args: ICompareArgs = { paths: [...panel.paths] };
  if (panel.names) {
    args.names = [...panel.names];
  }
  if (panel.requestedBaseline) {
    args.baseline = panel.requestedBaseline;
  }
  if (panel.groupBy && panel.groupBy.length > 0) {
    args.groupBy = [...panel.groupBy];
    if (panel.expanded && panel.expanded.length > 0) {
      args.expanded = panel.expanded.map(key => ({ ...key }));
    }
  }
  if (panel.sortBy) {
    args.sortBy = panel.sortBy;
  }
  if (panel.gridLayout === 'rows') {
    args.layout = 'rows';
  }
  if (panel.chart) {
    args.chart = { ...panel.chart };
  } else if (panel.chartsShown) {
    // Shown with the toggle alone: no chart was worked out yet.
    args.charts = true;
  }
  return args;
}

/**
 * The restorer's key of a comparison: two panels over the same notebooks
 * but different names are different comparisons, and both are restored.
 */
export function restoreName(panel: IRestorableComparison): string {
  const key = panel.paths.join('|');
  return panel.names ? `${key}#${panel.names.join('|')}` : key;
}

/** The view arguments {@link viewArgs} checks. */
export type ViewArgs = Pick<
  ICompareArgs,
  'groupBy' | 'sortBy' | 'layout' | 'expanded'
>;

/**
 * The grouping, sort, layout and expanded groups of the command's
 * arguments, checked: a script may pass anything (a single name for
 * `groupBy` is taken as one; expanded groups are objects, and only count
 * when grouped).
 */
export function viewArgs(args: ICompareArgs): ViewArgs {
  const view: ViewArgs = {};
  const groupBy = args.groupBy as unknown;
  const names = Array.isArray(groupBy)
    ? groupBy
    : typeof groupBy === 'string'
      ? [groupBy]
      : [];
  const valid = names.filter(
    (name): name is string => typeof name === 'string' && name !== ''
  );
  if (valid.length > 0) {
    view.groupBy = valid;
    const expanded = Array.isArray(args.expanded)
      ? (args.expanded as unknown[]).filter(
          (key): key is GroupKey =>
            !!key && typeof key === 'object' && !Array.isArray(key)
        )
      : [];
    if (expanded.length > 0) {
      view.expanded = expanded;
    }
  }
  if (typeof args.sortBy === 'string' && args.sortBy !== '') {
    view.sortBy = args.sortBy;
  }
  if (args.layout === 'rows' || args.layout === 'columns') {
    view.layout = args.layout;
  }
  return view;
}

/** What the compare command needs from the application. */
export interface ICompareCommandOptions {
  app: JupyterFrontEnd;
  browser: IDefaultFileBrowser | null;
  translator: ITranslator;
  palette: ICommandPalette | null;
  tracker: WidgetTracker<ComparePanel>;
  rendermime?: IRenderMimeRegistry | null;
  pin?: IBaselinePin | null;
  /** Where a comparison goes when not in this page's main area (Notebook 7). */
  opener?: IComparisonOpener | null;
  /** Asks where exports go (and offers "Save View As…"). */
  saver?: IExportSaver | null;
}

/** What a panel gets from the application, wherever it opens. */
export type PanelServices = Required<
  Pick<
    IComparePanelOptions,
    | 'translator'
    | 'rendermime'
    | 'contents'
    | 'saver'
    | 'openSource'
    | 'openPath'
    | 'exportNotebook'
  >
> &
  Pick<IComparePanelOptions, 'sanitize'>;

/**
 * The services and openers of a comparison panel: the same for a panel of
 * `nbcompare:compare` and one of a `.nbcompare` document. Values open
 * read-only through {@link CommandIDs.openSource}; HTML is sanitized by
 * rendermime's sanitizer.
 */
export function panelServices(
  app: JupyterFrontEnd,
  translator: ITranslator,
  rendermime: IRenderMimeRegistry | null,
  saver: IExportSaver | null
): PanelServices {
  const contents = app.serviceManager.contents;
  return {
    translator,
    rendermime,
    contents,
    saver,
    sanitize: rendermime
      ? html => rendermime.sanitizer.sanitize(html)
      : undefined,
    openSource: target =>
      void app.commands.execute(CommandIDs.openSource, { ...target }),
    openPath: path => void app.commands.execute('docmanager:open', { path }),
    exportNotebook: async spec =>
      (await saveComparisonNotebook(contents, spec)).path
  };
}

let panelCounter = 0;

/**
 * Register `nbcompare:compare`: with `{paths}` it compares those notebooks,
 * without arguments the notebooks ticked in the file browser, in the order
 * they were ticked (the first one is the default baseline, after the pin).
 */
export function addCompareCommand(options: ICompareCommandOptions): void {
  const { app, browser, translator, palette, tracker } = options;
  const trans = translator.load('jupyterlab_nbcompare');
  // Column order, hence the default baseline, follows the order of ticking.
  const ticks = browser ? new TickTracker(browser) : null;
  const selection = () => (ticks ? ticks.items() : []);
  const explicit = (args: ICompareArgs) =>
    Array.isArray(args.paths) && args.paths.length > 0;

  app.commands.addCommand(CommandIDs.compare, {
    label: args => {
      const n = explicit(args as ICompareArgs)
        ? (args as ICompareArgs).paths!.length
        : selectedNotebooks(selection()).length;
      return n >= 2
        ? trans.__('Compare %1 Notebooks', n)
        : trans.__('Compare Notebooks');
    },
    caption: trans.__(
      'Compare the tagged outputs of the selected notebooks side by side'
    ),
    icon: args => (args.isPalette ? undefined : compareIcon),
    isEnabled: args =>
      explicit(args as ICompareArgs) || isCompareEnabled(selection()),
    isVisible: args =>
      explicit(args as ICompareArgs) ||
      !!args.isPalette ||
      isCompareVisible(selection()),
    execute: async args => {
      const { paths, baseline, names } = args as ICompareArgs;
      const view = viewArgs(args as ICompareArgs);
      const chart = chartArg((args as ICompareArgs).chart);
      const charts = (args as ICompareArgs).charts === true;
      const chosen = explicit(args as ICompareArgs)
        ? paths!
        : selectedNotebooks(selection());
      if (chosen.length === 0) {
        return;
      }
      // A comparison opened in a page of its own carries the pinned
      // baseline in its address: that page may not see the pin (another
      // browser tab), and a bookmark must show the same comparison.
      const pinned = options.pin?.path ?? null;
      const opened = options.opener?.open({
        paths: chosen,
        baseline:
          baseline ??
          (pinned !== null && chosen.includes(pinned) ? pinned : undefined),
        names,
        ...view,
        ...(chart ? { chart } : charts ? { charts } : {})
      });
      if (opened) {
        return;
      }
      const panel = new ComparePanel({
        paths: chosen,
        baseline,
        names,
        ...view,
        chart,
        showCharts: charts,
        ...panelServices(
          app,
          translator,
          options.rendermime ?? null,
          options.saver ?? null
        ),
        pin: options.pin ?? null,
        canSaveView: true
      });
      panel.id = `nbcompare-panel-${++panelCounter}`;
      await tracker.add(panel);
      app.shell.add(panel, 'main');
      app.shell.activateById(panel.id);
      return panel.id;
    }
  });

  palette?.addItem({
    command: CommandIDs.compare,
    category: trans.__('Notebook Comparison')
  });
}

/**
 * Register `nbcompare:open-source`: show a run read-only (see
 * {@link RunView}), scrolled to the cell that produced a value, so a number
 * in the comparison is one click from its code without ever starting a
 * kernel or saving the run. One view per notebook, revealed when open.
 */
export function addOpenSourceCommand(
  app: JupyterFrontEnd,
  translator: ITranslator,
  rendermime: IRenderMimeRegistry | null = null,
  docManager: IDocumentManager | null = null
): void {
  const trans = translator.load('jupyterlab_nbcompare');
  const views = new Map<string, RunView>();
  app.commands.addCommand(CommandIDs.openSource, {
    label: trans.__('Show the Run Read-Only'),
    caption: trans.__(
      'Show the notebook read-only at the cell that produced a value (no kernel, never saved)'
    ),
    execute: async args => {
      const target = args as unknown as ISourceTarget;
      if (!target.path) {
        return;
      }
      let view = views.get(target.path);
      if (!view || view.isDisposed) {
        view = new RunView({
          path: target.path,
          contents: app.serviceManager.contents,
          rendermime,
          trans,
          openEditor: docManager
            ? () => openWithoutKernel(docManager, target.path)
            : undefined
        });
        const opened = view;
        views.set(target.path, opened);
        opened.disposed.connect(() => {
          if (views.get(target.path) === opened) {
            views.delete(target.path);
          }
        });
        app.shell.add(opened, 'main');
      }
      app.shell.activateById(view.id);
      await view.reveal(target);
      return view.id;
    }
  });
}

/**
 * Open a run in the notebook editor without a kernel: starting one would
 * rewrite the kernelspec and mark the record dirty. The model is made
 * read-only, so Save refuses (Save As makes a copy).
 */
export async function openWithoutKernel(
  docManager: IDocumentManager,
  path: string
): Promise<void> {
  const widget = docManager.openOrReveal(
    path,
    undefined,
    undefined,
    undefined,
    {
      shouldStart: false,
      canStart: false
    }
  );
  if (!widget) {
    return;
  }
  await widget.context.ready;
  widget.context.model.readOnly = true;
}
