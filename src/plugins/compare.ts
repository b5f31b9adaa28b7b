import {
  ILayoutRestorer,
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';
import { ICommandPalette, WidgetTracker } from '@jupyterlab/apputils';
import { IDocumentManager } from '@jupyterlab/docmanager';
import { IDefaultFileBrowser } from '@jupyterlab/filebrowser';
import { IRenderMimeRegistry } from '@jupyterlab/rendermime';
import { ITranslator, nullTranslator } from '@jupyterlab/translation';

import {
  addCompareCommand,
  addOpenSourceCommand,
  CommandIDs,
  restoreArgs,
  restoreName
} from '../commands';
import { IExportSaver } from '../exportsaver';
import { requestAPI } from '../request';
import { IComparisonOpener } from '../shells/tokens';
import { IBaselinePin, IVersionResponse } from '../tokens';
import { ComparePanel } from '../widgets/ComparePanel';

/** The comparison panel and the "Compare notebooks" command. */
export const comparePlugin: JupyterFrontEndPlugin<void> = {
  id: 'jupyterlab-nbcompare:plugin',
  description: 'Compare tagged outputs of executed notebooks side by side.',
  autoStart: true,
  optional: [
    IDefaultFileBrowser,
    ICommandPalette,
    ITranslator,
    ILayoutRestorer,
    IRenderMimeRegistry,
    IBaselinePin,
    IDocumentManager,
    IComparisonOpener,
    IExportSaver
  ],
  activate: (
    app: JupyterFrontEnd,
    browser: IDefaultFileBrowser | null,
    palette: ICommandPalette | null,
    translator: ITranslator | null,
    restorer: ILayoutRestorer | null,
    rendermime: IRenderMimeRegistry | null,
    pin: IBaselinePin | null,
    docManager: IDocumentManager | null,
    opener: IComparisonOpener | null,
    saver: IExportSaver | null
  ) => {
    const tracker = new WidgetTracker<ComparePanel>({
      namespace: 'nbcompare-panel'
    });
    addCompareCommand({
      app,
      browser,
      palette,
      translator: translator ?? nullTranslator,
      tracker,
      rendermime,
      pin,
      opener,
      saver
    });
    addOpenSourceCommand(
      app,
      translator ?? nullTranslator,
      rendermime,
      docManager
    );
    if (restorer) {
      void restorer.restore(tracker, {
        command: CommandIDs.compare,
        args: panel => ({ ...restoreArgs(panel) }),
        name: restoreName
      });
      // A baseline chosen later, a grouping, a sort, a layout, the expanded
      // groups and the chart pane (shown, and its chart) must survive a
      // reload too.
      tracker.widgetAdded.connect((_, panel) => {
        let saved = JSON.stringify(restoreArgs(panel));
        const save = () => {
          const now = JSON.stringify(restoreArgs(panel));
          if (now !== saved) {
            saved = now;
            void tracker.save(panel);
          }
        };
        panel.model.changed.connect(save);
        panel.charts.chartChanged.connect(save);
        panel.chartToggled.connect(save);
      });
    }
    requestAPI<IVersionResponse>('version')
      .then(data => {
        console.debug(`jupyterlab-nbcompare server ${data.version}`);
      })
      .catch(reason => {
        console.error(
          'The jupyterlab_nbcompare server extension is not reachable.',
          reason
        );
      });
  }
};
