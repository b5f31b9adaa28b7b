/**
 * `.nbcompare` views as documents: the file type, the widget factory that
 * opens the comparison panel on a view, its restoration after a reload, and
 * "New Comparison View" for the notebooks selected in the file browser.
 */
import {
  ILayoutRestorer,
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';
import { ICommandPalette, WidgetTracker } from '@jupyterlab/apputils';
import { DocumentWidget } from '@jupyterlab/docregistry';
import { IDefaultFileBrowser } from '@jupyterlab/filebrowser';
import { IRenderMimeRegistry } from '@jupyterlab/rendermime';
import { ITranslator, nullTranslator } from '@jupyterlab/translation';

import { panelServices } from '../commands';
import {
  emptyViewState,
  newViewText,
  VIEW_EXTENSION
} from '../documents/adapter';
import {
  VIEW_FACTORY,
  ViewContent,
  ViewDocumentFactory
} from '../documents/ViewDocument';
import { IExportSaver } from '../exportsaver';
import { compareIcon } from '../icons';
import { saveAsNew } from '../save';
import { selectedNotebooks, TickTracker } from '../selection';

/** The command ids of views. */
export namespace ViewCommandIDs {
  export const newView = 'nbcompare:new-view';
}

/** The registered name of the file type. */
export const VIEW_FILE_TYPE = 'nbcompare';

/** Arguments of `nbcompare:new-view`. */
export interface INewViewArgs {
  /** The notebooks; default the ticked ones, else every notebook of the folder. */
  paths?: string[];
  /** The folder the view is created in; default the file browser's. */
  cwd?: string;
}

/** Opens `.nbcompare` files as comparisons, and creates them. */
export const viewsPlugin: JupyterFrontEndPlugin<void> = {
  id: 'jupyterlab-nbcompare:views',
  description:
    'Open .nbcompare view files as comparison documents (save, revert, rename, checkpoints), and create them.',
  autoStart: true,
  optional: [
    ITranslator,
    IRenderMimeRegistry,
    IExportSaver,
    IDefaultFileBrowser,
    ILayoutRestorer,
    ICommandPalette
  ],
  activate: (
    app: JupyterFrontEnd,
    translator: ITranslator | null,
    rendermime: IRenderMimeRegistry | null,
    saver: IExportSaver | null,
    browser: IDefaultFileBrowser | null,
    restorer: ILayoutRestorer | null,
    palette: ICommandPalette | null
  ) => {
    translator = translator ?? nullTranslator;
    const trans = translator.load('jupyterlab_nbcompare');
    const contents = app.serviceManager.contents;

    app.docRegistry.addFileType({
      name: VIEW_FILE_TYPE,
      displayName: trans.__('Comparison View'),
      extensions: [VIEW_EXTENSION],
      mimeTypes: ['application/json'],
      contentType: 'file',
      fileFormat: 'text',
      icon: compareIcon
    });

    const factory = new ViewDocumentFactory(
      {
        name: VIEW_FACTORY,
        label: trans.__('Comparison View'),
        fileTypes: [VIEW_FILE_TYPE],
        defaultFor: [VIEW_FILE_TYPE],
        modelName: 'text',
        translator
      },
      context =>
        new ViewContent({
          context,
          translator,
          openEditor: () =>
            void app.commands.execute('docmanager:open', {
              path: context.path,
              factory: 'Editor'
            }),
          panel: panelServices(app, translator, rendermime, saver)
        })
    );
    app.docRegistry.addWidgetFactory(factory);

    const tracker = new WidgetTracker<DocumentWidget<ViewContent>>({
      namespace: 'nbcompare-view'
    });
    factory.widgetCreated.connect((_, widget) => {
      widget.context.pathChanged.connect(() => void tracker.save(widget));
      void tracker.add(widget);
    });
    if (restorer) {
      void restorer.restore(tracker, {
        command: 'docmanager:open',
        args: widget => ({ path: widget.context.path, factory: VIEW_FACTORY }),
        name: widget => widget.context.path
      });
    }

    const ticks = browser ? new TickTracker(browser) : null;
    app.commands.addCommand(ViewCommandIDs.newView, {
      label: args => {
        const n = (args as INewViewArgs).paths?.length ?? notebooksTicked();
        return args.isPalette || n < 1
          ? trans.__('New Comparison View')
          : trans.__('New Comparison View of %1 Notebooks', n);
      },
      caption: trans.__(
        'Create a .nbcompare view of the selected notebooks (none selected: every notebook of the folder) and open it'
      ),
      icon: args => (args.isPalette ? undefined : compareIcon),
      execute: async args => {
        const { paths, cwd } = args as INewViewArgs;
        const folder = cwd ?? browser?.model.path ?? '';
        const local = contents.localPath(folder);
        const chosen =
          paths && paths.length > 0
            ? paths
            : selectedNotebooks(ticks ? ticks.items() : []);
        const text =
          chosen.length > 0
            ? newViewText(chosen, emptyViewState(), local)
            : `${JSON.stringify({ nbcompare: 1, notebooks: ['*.ipynb'] }, null, 2)}\n`;
        const model = await saveAsNew(
          contents,
          local,
          'comparison',
          'nbcompare',
          {
            type: 'file',
            format: 'text',
            content: text
          }
        );
        return app.commands.execute('docmanager:open', {
          path: model.path,
          factory: VIEW_FACTORY
        });
      }
    });
    palette?.addItem({
      command: ViewCommandIDs.newView,
      category: trans.__('Notebook Comparison')
    });

    function notebooksTicked(): number {
      return ticks ? selectedNotebooks(ticks.items()).length : 0;
    }
  }
};
