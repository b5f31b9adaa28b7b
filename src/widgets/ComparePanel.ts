import { ITranslator, nullTranslator } from '@jupyterlab/translation';
import { Widget } from '@lumino/widgets';

import { compareIcon } from '../icons';

/** Options of a comparison panel. */
export interface IComparePanelOptions {
  paths: string[];
  baseline?: string;
  names?: string[];
  translator?: ITranslator;
}

/**
 * The main-area panel of one comparison. For now it names the notebooks being
 * compared; the per-kind views plug into it.
 */
export class ComparePanel extends Widget {
  constructor(options: IComparePanelOptions) {
    super();
    const trans = (options.translator ?? nullTranslator).load(
      'jupyterlab_nbcompare'
    );
    this.paths = [...options.paths];
    this.addClass('jp-NbCompare-panel');
    this.title.label = trans.__('Compare %1 notebooks', this.paths.length);
    this.title.caption = this.paths.join('\n');
    this.title.icon = compareIcon;
    this.title.closable = true;

    const list = document.createElement('ul');
    list.className = 'jp-NbCompare-notebookList';
    for (const path of this.paths) {
      const item = document.createElement('li');
      item.className = 'jp-NbCompare-notebook';
      item.textContent = path;
      item.title = path;
      list.appendChild(item);
    }
    this.node.appendChild(list);
  }

  /** The compared notebooks, in column order. */
  readonly paths: string[];
}
