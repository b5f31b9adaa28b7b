/**
 * The tag browser sidebar: wiring only (the model and view live in
 * `tagbrowser/`).
 */
import {
  ILayoutRestorer,
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';
import { ICommandPalette } from '@jupyterlab/apputils';
import { IDefaultFileBrowser } from '@jupyterlab/filebrowser';
import { ISettingRegistry } from '@jupyterlab/settingregistry';
import { ITranslator, nullTranslator } from '@jupyterlab/translation';

import { ICompareSelection } from '../tagbrowser/data';
import { TagBrowserModel } from '../tagbrowser/model';
import { TAG_BROWSER_ID, TagBrowser } from '../tagbrowser/widget';
import { IBaselinePin } from '../tokens';
import { CommandIDs } from '../commands';

/** The command that shows the sidebar. */
export const OPEN_TAG_BROWSER = 'nbcompare:open-tag-browser';

/** The tag browser in the left sidebar. */
export const tagBrowserPlugin: JupyterFrontEndPlugin<void> = {
  id: 'jupyterlab-nbcompare:tag-browser',
  description:
    'A sidebar listing the tags and scraps of the notebooks in the current folder.',
  autoStart: true,
  optional: [
    IDefaultFileBrowser,
    IBaselinePin,
    ILayoutRestorer,
    ITranslator,
    ICommandPalette,
    ISettingRegistry
  ],
  activate: (
    app: JupyterFrontEnd,
    browser: IDefaultFileBrowser | null,
    pin: IBaselinePin | null,
    restorer: ILayoutRestorer | null,
    translator: ITranslator | null,
    palette: ICommandPalette | null,
    settings: ISettingRegistry | null
  ) => {
    const trans = (translator ?? nullTranslator).load('jupyterlab_nbcompare');
    const model = new TagBrowserModel({ pin });
    const widget = new TagBrowser({
      model,
      translator: translator ?? nullTranslator,
      onCompare: (selection: ICompareSelection) =>
        app.commands.execute(CommandIDs.compare, {
          paths: selection.paths,
          names: selection.names.length > 0 ? selection.names : undefined,
          baseline: selection.baseline ?? undefined
        } as any),
      onOpen: path => app.commands.execute('docmanager:open', { path })
    });

    if (browser) {
      widget.setFolder(browser.model.path);
      browser.model.pathChanged.connect((_, change) => {
        widget.setFolder(change.newValue);
      });
    }
    app.serviceManager.contents.fileChanged.connect((_, change) => {
      widget.handleFileChange(change);
    });

    if (settings) {
      const apply = (loaded: ISettingRegistry.ISettings) => {
        const seconds = loaded.get('pollInterval').composite;
        widget.setPollInterval(
          typeof seconds === 'number' ? seconds * 1000 : 10000
        );
      };
      settings
        .load(tagBrowserPlugin.id)
        .then(loaded => {
          apply(loaded);
          loaded.changed.connect(apply);
        })
        .catch(reason => {
          console.warn('nbcompare: tag browser settings not loaded', reason);
        });
    }

    app.shell.add(widget, 'left', { rank: 250 });
    if (restorer) {
      restorer.add(widget, TAG_BROWSER_ID);
    }

    app.commands.addCommand(OPEN_TAG_BROWSER, {
      label: trans.__('Show Tags & Scraps'),
      caption: widget.title.caption,
      execute: () => {
        app.shell.activateById(widget.id);
      }
    });
    palette?.addItem({
      command: OPEN_TAG_BROWSER,
      category: trans.__('Notebook Comparison')
    });
  }
};
