/**
 * Jupyter Notebook 7 wiring: wiring only, and inert in JupyterLab.
 *
 * Notebook 7 shows one document per browser tab. Its own extensions open a
 * document or a terminal by opening that page's URL with
 * `INotebookPathOpener` (docmanager-extension's `IDocumentWidgetOpener`,
 * terminal-extension's `redirect`), and on the page itself an `IRouter`
 * route creates the widget (terminal-extension's `opener`). These plugins do
 * the same for a comparison, whose page `{base_url}nbcompare/view` is served
 * by the server extension (`pages.py`) with Notebook's own page template.
 */
import {
  IRouter,
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';
import { PageConfig, URLExt } from '@jupyterlab/coreutils';
import { ITranslator, nullTranslator } from '@jupyterlab/translation';
import {
  defaultNotebookPathOpener,
  INotebookPathOpener,
  INotebookShell
} from '@jupyter-notebook/application';
import { Widget } from '@lumino/widgets';

import { CommandIDs, restoreArgs } from '../commands';
import {
  COMPARE_PAGE,
  COMPARE_PAGE_PATTERN,
  comparisonSearchParams,
  pageFolder,
  parseComparisonSearch
} from '../shells/url';
import { IComparisonOpener } from '../shells/tokens';
import { TAG_BROWSER_ID, TagBrowser } from '../tagbrowser/widget';
import { ComparePanel } from '../widgets/ComparePanel';

/** The hidden command the router runs on a comparison page. */
const ROUTE_COMMAND = 'nbcompare:route-compare-page';

/**
 * Provides `IComparisonOpener`: in Notebook 7, a comparison asked for on a
 * page whose main area is taken opens its own page in a new browser tab.
 */
export const notebookOpenerPlugin: JupyterFrontEndPlugin<IComparisonOpener> = {
  id: 'jupyterlab-nbcompare:notebook-opener',
  description:
    'In Jupyter Notebook 7, opens each comparison in a browser tab of its own.',
  autoStart: true,
  provides: IComparisonOpener,
  optional: [INotebookShell, INotebookPathOpener],
  activate: (
    app: JupyterFrontEnd,
    shell: INotebookShell | null,
    pathOpener: INotebookPathOpener | null
  ): IComparisonOpener => {
    const opener = pathOpener ?? defaultNotebookPathOpener;
    return {
      open: args => {
        // JupyterLab, or a Notebook page with nothing in its main area
        // yet (the comparison page itself): the panel goes there.
        if (!shell || shell.currentWidget === null) {
          return false;
        }
        opener.open({
          prefix: URLExt.join(PageConfig.getBaseUrl(), COMPARE_PAGE),
          searchParams: comparisonSearchParams(args),
          target: '_blank'
        });
        return true;
      }
    };
  }
};

/**
 * The comparison page of Notebook 7: its route reads the notebooks from the
 * address and shows the comparison in the main area, and a baseline chosen
 * later is written back into the address so that a reload keeps it.
 */
export const notebookPagePlugin: JupyterFrontEndPlugin<void> = {
  id: 'jupyterlab-nbcompare:notebook-page',
  description: 'The comparison page of Jupyter Notebook 7.',
  autoStart: true,
  optional: [INotebookShell, IRouter, ITranslator],
  activate: (
    app: JupyterFrontEnd,
    shell: INotebookShell | null,
    router: IRouter | null,
    translator: ITranslator | null
  ) => {
    if (!shell || !router) {
      return;
    }
    const trans = (translator ?? nullTranslator).load('jupyterlab_nbcompare');
    app.commands.addCommand(ROUTE_COMMAND, {
      label: trans.__('Open the Comparison of This Page'),
      execute: async args => {
        const location = args as unknown as IRouter.ILocation;
        const compare = parseComparisonSearch(location.search ?? '');
        if (!compare) {
          const empty = new Widget();
          empty.id = 'nbcompare-empty-page';
          empty.addClass('jp-NbCompare-emptyPage');
          empty.node.textContent = trans.__(
            'This address names no notebook to compare: add ?path=a.ipynb&path=b.ipynb.'
          );
          app.shell.add(empty, 'main');
          return;
        }
        const id = await app.commands.execute(CommandIDs.compare, {
          ...compare
        } as any);
        const panel = Array.from(app.shell.widgets('main')).find(
          widget => widget.id === id
        );
        if (panel instanceof ComparePanel) {
          followPanel(panel);
        }
      }
    });
    router.register({ command: ROUTE_COMMAND, pattern: COMPARE_PAGE_PATTERN });
  }
};

/**
 * Keep the page's title and address in step with its comparison (its
 * baseline, grouping, sort, layout, expanded groups and chart pane).
 */
function followPanel(panel: ComparePanel): void {
  let state = JSON.stringify(restoreArgs(panel));
  const sync = () => {
    document.title = panel.title.label || document.title;
    const now = JSON.stringify(restoreArgs(panel));
    if (now === state) {
      return;
    }
    state = now;
    const params = comparisonSearchParams(restoreArgs(panel));
    const url = new URL(window.location.href);
    url.search = params.toString();
    window.history.replaceState({}, '', url.href);
  };
  panel.model.changed.connect(sync);
  panel.charts.chartChanged.connect(sync);
  panel.chartToggled.connect(sync);
  panel.title.changed.connect(sync);
  sync();
}

/**
 * The tag browser of a Notebook 7 page other than the tree shows the folder
 * of the page's notebook (or comparison): there the default file browser
 * never leaves the root, so following it showed `/` with no notebooks.
 */
export const notebookFolderPlugin: JupyterFrontEndPlugin<void> = {
  id: 'jupyterlab-nbcompare:notebook-folder',
  description:
    'In Jupyter Notebook 7, the tag browser follows the folder of the page.',
  autoStart: true,
  optional: [INotebookShell],
  activate: (app: JupyterFrontEnd, shell: INotebookShell | null) => {
    if (!shell) {
      return;
    }
    const folder = pageFolder(
      window.location.pathname,
      window.location.search,
      PageConfig.getBaseUrl()
    );
    if (folder === null) {
      return;
    }
    void app.restored.then(() => {
      const browser = Array.from(shell.widgets('left')).find(
        widget => widget.id === TAG_BROWSER_ID
      );
      if (browser instanceof TagBrowser) {
        browser.setFolder(folder);
      }
    });
  }
};
