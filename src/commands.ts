import { JupyterFrontEnd } from '@jupyterlab/application';
import { ICommandPalette, WidgetTracker } from '@jupyterlab/apputils';
import { IDefaultFileBrowser } from '@jupyterlab/filebrowser';
import { ITranslator } from '@jupyterlab/translation';

import {
  isCompareEnabled,
  isCompareVisible,
  selectedNotebooks
} from './selection';
import { compareIcon } from './icons';
import { ComparePanel } from './widgets/ComparePanel';

/** Every command id of the extension. */
export namespace CommandIDs {
  export const compare = 'nbcompare:compare';
  export const pinBaseline = 'nbcompare:pin-baseline';
  export const unpinBaseline = 'nbcompare:unpin-baseline';
}

/** Arguments of `nbcompare:compare`. */
export interface ICompareArgs {
  paths?: string[];
  baseline?: string;
  names?: string[];
}

/** What the compare command needs from the application. */
export interface ICompareCommandOptions {
  app: JupyterFrontEnd;
  browser: IDefaultFileBrowser | null;
  translator: ITranslator;
  palette: ICommandPalette | null;
  tracker: WidgetTracker<ComparePanel>;
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
      const panel = new ComparePanel({
        paths: chosen,
        baseline,
        names,
        translator
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
