import { JupyterFrontEnd } from '@jupyterlab/application';
import { ICommandPalette, WidgetTracker } from '@jupyterlab/apputils';
import { IDefaultFileBrowser } from '@jupyterlab/filebrowser';
import { IRenderMimeRegistry } from '@jupyterlab/rendermime';
import { ITranslator } from '@jupyterlab/translation';

import { saveComparisonNotebook } from './exportNotebook';
import {
  isCompareEnabled,
  isCompareVisible,
  selectedNotebooks
} from './selection';
import { compareIcon } from './icons';
import { IComparisonOpener } from './shells/tokens';
import { IBaselinePin } from './tokens';
import { ComparePanel } from './widgets/ComparePanel';
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
}

/** What the layout restorer needs to know of a comparison. */
export interface IRestorableComparison {
  paths: string[];
  names?: string[];
  requestedBaseline: string | null;
}

/**
 * The command arguments that reopen the same comparison after a reload:
 * the notebooks, the name filter of a tag-browser comparison, and the
 * baseline the user chose (a pin or the default are worked out again).
 */
export function restoreArgs(panel: IRestorableComparison): ICompareArgs {
  const args: ICompareArgs = { paths: [...panel.paths] };
  if (panel.names) {
    args.names = [...panel.names];
  }
  if (panel.requestedBaseline) {
    args.baseline = panel.requestedBaseline;
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
}

let panelCounter = 0;

/**
 * Register `nbcompare:compare`: with `{paths}` it compares those notebooks,
 * without arguments the notebooks ticked in the file browser.
 */
export function addCompareCommand(options: ICompareCommandOptions): void {
  const { app, browser, translator, palette, tracker } = options;
  const trans = translator.load('jupyterlab_nbcompare');
  const selection = () => (browser ? Array.from(browser.selectedItems()) : []);
  const explicit = (args: ICompareArgs) =>
    Array.isArray(args.paths) && args.paths.length > 0;
  const contents = app.serviceManager.contents;

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
        names
      });
      if (opened) {
        return;
      }
      const panel = new ComparePanel({
        paths: chosen,
        baseline,
        names,
        translator,
        rendermime: options.rendermime ?? null,
        pin: options.pin ?? null,
        contents,
        sanitize: options.rendermime
          ? html => options.rendermime!.sanitizer.sanitize(html)
          : undefined,
        openSource: target =>
          void app.commands.execute(CommandIDs.openSource, { ...target }),
        openPath: path =>
          void app.commands.execute('docmanager:open', { path }),
        exportNotebook: async spec =>
          (await saveComparisonNotebook(contents, spec)).path
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

/** The part of a notebook cell model the source lookup reads. */
interface ICellLike {
  type?: string;
  getMetadata?(key: string): unknown;
  toJSON?(): { outputs?: { data?: Record<string, any>; metadata?: any }[] };
}

/**
 * The index of the cell that produced a value: the server's `cell_index`
 * when it gives one, else the last cell tagged with the name (the last one
 * wins, as on the server), or for a scrap the last cell that glued it.
 */
export function findSourceCell(
  cells: ICellLike[],
  target: Pick<ISourceTarget, 'name' | 'origin' | 'cellIndex'>
): number {
  if (
    typeof target.cellIndex === 'number' &&
    target.cellIndex >= 0 &&
    target.cellIndex < cells.length
  ) {
    return target.cellIndex;
  }
  if (!target.name) {
    return -1;
  }
  for (let i = cells.length - 1; i >= 0; i--) {
    const cell = cells[i];
    if (target.origin === 'tag') {
      const tags = cell.getMetadata?.('tags');
      if (
        cell.type === 'code' &&
        Array.isArray(tags) &&
        tags.includes(target.name)
      ) {
        return i;
      }
    } else {
      const outputs = cell.toJSON?.().outputs ?? [];
      for (const output of outputs) {
        const scrapbook = output.metadata?.scrapbook;
        if (scrapbook?.name === target.name) {
          return i;
        }
        for (const [mime, data] of Object.entries(output.data ?? {})) {
          if (
            mime.startsWith('application/scrapbook.scrap.') &&
            data?.name === target.name
          ) {
            return i;
          }
        }
      }
    }
  }
  return -1;
}

/**
 * Register `nbcompare:open-source`: open a notebook (or reveal it) and
 * scroll to the cell that produced a value, so a number in the comparison is
 * one click from its code.
 */
export function addOpenSourceCommand(
  app: JupyterFrontEnd,
  translator: ITranslator
): void {
  const trans = translator.load('jupyterlab_nbcompare');
  app.commands.addCommand(CommandIDs.openSource, {
    label: trans.__('Open the Source Cell'),
    caption: trans.__('Open the notebook at the cell that produced a value'),
    execute: async args => {
      const target = args as unknown as ISourceTarget;
      if (!target.path) {
        return;
      }
      const widget: any = await app.commands.execute('docmanager:open', {
        path: target.path
      });
      if (!widget?.context) {
        return;
      }
      await widget.context.ready;
      await widget.revealed;
      const notebook = widget.content;
      const cells = notebook?.model?.cells;
      if (!cells || !notebook.widgets) {
        return;
      }
      const index = findSourceCell(Array.from(cells), target);
      if (index < 0) {
        return;
      }
      notebook.activeCellIndex = index;
      await notebook.scrollToItem(index, 'center');
    }
  });
}
