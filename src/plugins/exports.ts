/**
 * The export saver: every export of a comparison asks where it goes and
 * never overwrites without asking (see `exportsaver.ts`).
 */
import {
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';
import { IStateDB } from '@jupyterlab/statedb';
import { ITranslator, nullTranslator } from '@jupyterlab/translation';

import { ExportSaver, IExportSaver } from '../exportsaver';
import { askPathDialog, confirmOverwriteDialog } from '../widgets/SaveDialog';

/** Provides {@link IExportSaver}, with the kept folder in the state database. */
export const exportsPlugin: JupyterFrontEndPlugin<IExportSaver> = {
  id: 'jupyterlab-nbcompare:exports',
  description:
    'Asks where each export of a comparison goes, and never overwrites a file without asking.',
  autoStart: true,
  provides: IExportSaver,
  optional: [IStateDB, ITranslator],
  activate: (
    app: JupyterFrontEnd,
    state: IStateDB | null,
    translator: ITranslator | null
  ): IExportSaver => {
    const trans = (translator ?? nullTranslator).load('jupyterlab_nbcompare');
    return new ExportSaver({
      contents: app.serviceManager.contents,
      ask: askPathDialog(trans),
      confirmOverwrite: confirmOverwriteDialog(trans),
      state
    });
  }
};
