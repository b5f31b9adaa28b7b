/**
 * How a comparison is shown, which differs between the shells.
 */
import { Token } from '@lumino/coreutils';

import { ICompareArgs } from '../commands';

/**
 * Opens a comparison somewhere other than this page's main area.
 *
 * JupyterLab has no provider: a comparison is a panel of its main area.
 * Jupyter Notebook 7 shows one document per page, as its own
 * `IDocumentWidgetOpener` does for notebooks and files, so on a page whose
 * main area is taken (the tree, a notebook) its provider opens the
 * comparison's own page in a new browser tab.
 */
export interface IComparisonOpener {
  /**
   * Open the comparison elsewhere and return true, or return false when it
   * belongs in this page's main area.
   */
  open(args: ICompareArgs): boolean;
}

/** The token of the {@link IComparisonOpener}. */
export const IComparisonOpener = new Token<IComparisonOpener>(
  'jupyterlab-nbcompare:IComparisonOpener',
  'Opens a comparison in a page of its own where the shell shows one document per page.'
);
