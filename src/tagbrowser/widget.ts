/**
 * The tag browser sidebar: the names (tags and scraps) of the folder the
 * file browser shows, with their kind, count, range and trend; tick names and
 * notebooks, then "Compare".
 *
 * Plain DOM, rendered from the model. Only what can be seen is built: the
 * notebooks of a name exist in the DOM only while it is expanded, and long
 * lists are paged ("Show more"), so a folder of thousands of notebooks stays
 * responsive. Text from notebooks (names, paths) is only ever set with
 * `textContent` or attributes.
 */
import { Contents } from '@jupyterlab/services';
import {
  ITranslator,
  nullTranslator,
  TranslationBundle
} from '@jupyterlab/translation';
import { folderIcon, refreshIcon, searchIcon } from '@jupyterlab/ui-components';
import { Message } from '@lumino/messaging';
import { Widget } from '@lumino/widgets';

import { ICompareSelection } from './data';
import { tagBrowserIcon } from '../icons';
import {
  TagBrowserChange,
  TagBrowserModel,
  canCompareSelection
} from './model';
import {
  CLASS,
  el,
  iconButton,
  IRowContext,
  nameRow,
  NOTEBOOK_PAGE,
  relativePath
} from './rows';

/** The sidebar's widget id (restored by the layout restorer). */
export const TAG_BROWSER_ID = 'nbcompare-tag-browser';

/** How many names are drawn before "Show more names". */
export const NAME_PAGE = 200;
/** Unreadable notebooks named in the notice (all of them are on hover). */
const UNREADABLE_SHOWN = 3;

export { NOTEBOOK_PAGE };

/** Options of a {@link TagBrowser}. */
export interface ITagBrowserOptions {
  model: TagBrowserModel;
  translator?: ITranslator;
  /** Run the comparison (the plugin executes `nbcompare:compare`). */
  onCompare: (selection: ICompareSelection) => unknown;
  /** Open a notebook (double click on its row). */
  onOpen?: (path: string) => unknown;
  /** Slow poll while visible, for writes Jupyter does not see (papermill). */
  pollInterval?: number;
  /** Quiet time after typing before the search filters (ms). */
  searchDelay?: number;
}

/** The tag browser sidebar; see the module comment. */
export class TagBrowser extends Widget {
  constructor(options: ITagBrowserOptions) {
    super();
    this.model = options.model;
    this._trans = (options.translator ?? nullTranslator).load(
      'jupyterlab_nbcompare'
    );
    this._onCompare = options.onCompare;
    this._onOpen = options.onOpen ?? null;
    this._pollInterval = options.pollInterval ?? 10000;
    this._searchDelay = options.searchDelay ?? 200;

    this.id = TAG_BROWSER_ID;
    this.addClass(CLASS);
    this.title.icon = tagBrowserIcon;
    this.title.caption = this._trans.__(
      'Tags and scraps of the notebooks in the current folder'
    );

    this._buildSkeleton();
    this.model.changed.connect(this._onModelChanged, this);
    this._renderAll();
  }

  /** The state the sidebar shows. */
  readonly model: TagBrowserModel;

  /**
   * Follow the file browser's folder. While the sidebar is hidden the folder
   * is only remembered: nothing is fetched for a view nobody sees.
   */
  setFolder(path: string): void {
    this._folder = path;
    if (this.isVisible) {
      void this.model.setPath(path);
    }
  }

  /**
   * React to a file change (from the contents manager). Hidden, the sidebar
   * ignores it: it refreshes anyway when it is shown again.
   */
  handleFileChange(change: Contents.IChangedArgs): void {
    if (this.isVisible) {
      this.model.handleFileChange(change);
    }
  }

  /**
   * Change how often (ms) the folder is checked for outside writes while
   * the sidebar is visible; 0 turns the check off.
   */
  setPollInterval(interval: number): void {
    this._pollInterval = Math.max(0, interval);
    if (this.isVisible) {
      this._startPoll();
    }
  }

  /** Stop the poll and the search timer. */
  dispose(): void {
    if (this.isDisposed) {
      return;
    }
    this._stopPoll();
    if (this._searchTimer !== null) {
      clearTimeout(this._searchTimer);
    }
    document.removeEventListener('visibilitychange', this._onVisibility);
    super.dispose();
  }

  protected onAfterShow(msg: Message): void {
    super.onAfterShow(msg);
    document.addEventListener('visibilitychange', this._onVisibility);
    if (this._folder !== null && this._folder !== this.model.path) {
      void this.model.setPath(this._folder);
    } else {
      // Files may have changed while hidden (papermill writes unseen): check
      // once; an unchanged answer redraws nothing.
      void this.model.refresh();
    }
    this._startPoll();
  }

  protected onBeforeHide(msg: Message): void {
    super.onBeforeHide(msg);
    document.removeEventListener('visibilitychange', this._onVisibility);
    this._stopPoll();
  }

  // ---- polling -----------------------------------------------------------

  /**
   * One slow poll at a time, only while visible and the page is shown; the
   * interval grows with the server's answer time so a big folder cannot
   * turn the poll into a storm.
   */
  private _startPoll(): void {
    this._stopPoll();
    if (this._pollInterval <= 0) {
      return;
    }
    const delay = Math.max(this._pollInterval, this.model.lastDuration * 10);
    this._pollTimer = setTimeout(() => {
      this._pollTimer = null;
      if (!this.isVisible) {
        return;
      }
      const pending =
        document.visibilityState === 'hidden' || this.model.status === 'loading'
          ? Promise.resolve()
          : this.model.refresh();
      void pending.then(() => {
        if (this.isVisible && !this.isDisposed) {
          this._startPoll();
        }
      });
    }, delay);
  }

  private _stopPoll(): void {
    if (this._pollTimer !== null) {
      clearTimeout(this._pollTimer);
      this._pollTimer = null;
    }
  }

  private _onVisibility = (): void => {
    if (document.visibilityState === 'visible' && this.isVisible) {
      void this.model.refresh();
    }
  };

  // ---- skeleton ----------------------------------------------------------

  private _buildSkeleton(): void {
    const trans = this._trans;
    const header = el('div', `${CLASS}-header`);
    const title = el('h2', `${CLASS}-title`);
    title.textContent = trans.__('Tags & Scraps');
    const refresh = iconButton(
      refreshIcon,
      trans.__('Refresh'),
      `${CLASS}-refresh`
    );
    refresh.addEventListener('click', () => void this.model.refresh());
    header.append(title, refresh);

    this._folderNode = el('div', `${CLASS}-folder`);

    const controls = el('div', `${CLASS}-controls`);
    const searchWrap = el('div', `${CLASS}-searchWrap`);
    searchWrap.appendChild(
      searchIcon.element({ tag: 'span', className: `${CLASS}-searchIcon` })
    );
    this._search = document.createElement('input');
    this._search.type = 'search';
    this._search.className = `${CLASS}-search`;
    this._search.placeholder = trans.__('Filter names');
    this._search.setAttribute('aria-label', trans.__('Filter names'));
    this._search.addEventListener('input', () => this._onSearchInput());
    this._search.addEventListener('keydown', event => {
      if (event.key === 'Enter') {
        this._applySearch();
      }
    });
    searchWrap.appendChild(this._search);

    const recursive = el('label', `${CLASS}-recursive`);
    this._recursive = document.createElement('input');
    this._recursive.type = 'checkbox';
    this._recursive.addEventListener('change', () => {
      void this.model.setRecursive(this._recursive.checked);
    });
    const recursiveText = el('span');
    recursiveText.textContent = trans.__('Include subfolders');
    recursive.append(this._recursive, recursiveText);
    controls.append(searchWrap, recursive);

    this._notice = el('div', `${CLASS}-notice`);
    this._notice.setAttribute('role', 'status');
    this._buildProgress();

    this._list = el('div', `${CLASS}-list`);
    this._list.addEventListener('change', this._onListChange);
    this._list.addEventListener('click', this._onListClick);
    this._list.addEventListener('dblclick', this._onListDblClick);

    const footer = el('div', `${CLASS}-footer`);
    this._summary = el('span', `${CLASS}-summary`);
    this._summary.setAttribute('aria-live', 'polite');
    this._clear = el('button', `${CLASS}-button`) as HTMLButtonElement;
    this._clear.type = 'button';
    this._clear.textContent = trans.__('Clear');
    this._clear.title = trans.__('Untick every name and notebook');
    this._clear.addEventListener('click', () => this.model.clearTicks());
    this._compare = el(
      'button',
      `${CLASS}-button ${CLASS}-compare jp-mod-accept`
    ) as HTMLButtonElement;
    this._compare.type = 'button';
    this._compare.textContent = trans.__('Compare');
    this._compare.addEventListener('click', () => {
      if (this.model.canCompare) {
        void this._onCompare(this.model.selection);
      }
    });
    footer.append(this._summary, this._clear, this._compare);

    this.node.append(
      header,
      this._folderNode,
      controls,
      this._notice,
      this._progressNode,
      this._list,
      footer
    );
  }

  /**
   * The progress of a long first scan, below the notices: a label and a
   * bar (`role=progressbar`). Not a live region (it changes twice a second);
   * the bar carries the same text in `aria-valuetext`. Updated in place.
   */
  private _buildProgress(): void {
    this._progressNode = el('div', `${CLASS}-progress`);
    this._progressNode.hidden = true;
    this._progressLabel = el('div', `${CLASS}-progressLabel`);
    this._progressBar = el('div', `${CLASS}-progressTrack`);
    this._progressBar.setAttribute('role', 'progressbar');
    this._progressBar.setAttribute(
      'aria-label',
      this._trans.__('Index of the folder')
    );
    this._progressFill = el('div', `${CLASS}-progressFill`);
    this._progressBar.appendChild(this._progressFill);
    this._progressNode.append(this._progressLabel, this._progressBar);
  }

  // ---- search ------------------------------------------------------------

  private _onSearchInput(): void {
    if (this._searchTimer !== null) {
      clearTimeout(this._searchTimer);
    }
    this._searchTimer = setTimeout(
      () => this._applySearch(),
      this._searchDelay
    );
  }

  private _applySearch(): void {
    if (this._searchTimer !== null) {
      clearTimeout(this._searchTimer);
      this._searchTimer = null;
    }
    this._nameLimit = NAME_PAGE;
    this.model.setQuery(this._search.value);
  }

  // ---- rendering ---------------------------------------------------------

  private _onModelChanged(_: TagBrowserModel, change: TagBrowserChange): void {
    switch (change) {
      case 'ticks':
        this._syncTicks();
        break;
      case 'status':
        this._renderProgress();
        this._renderNotice();
        this._renderFolder();
        break;
      case 'progress':
        this._renderProgress();
        if (this._progressShown !== !this._progressNode.hidden) {
          this._renderNotice();
        }
        break;
      case 'data':
      case 'filter':
      case 'expand':
      case 'pin':
        this._renderAll();
        break;
    }
  }

  private _renderAll(): void {
    this._renderFolder();
    this._renderProgress();
    this._renderNotice();
    this._renderList();
    this._syncTicks();
  }

  private _renderFolder(): void {
    const trans = this._trans;
    this._folderNode.replaceChildren();
    folderIcon.element({
      container: this._folderNode.appendChild(el('span')),
      tag: 'span'
    });
    const text = el('span', `${CLASS}-folderPath`);
    text.textContent = '/' + this.model.path;
    this._folderNode.title = trans.__('Folder: /%1', this.model.path);
    this._folderNode.appendChild(text);
    const count = this.model.index?.notebooks.length;
    if (count !== undefined) {
      const n = el('span', `${CLASS}-folderCount`);
      n.textContent = trans._n('%1 notebook', '%1 notebooks', count);
      this._folderNode.appendChild(n);
    }
    this._recursive.checked = this.model.recursive;
  }

  private _renderNotice(): void {
    const trans = this._trans;
    const model = this.model;
    this._notice.replaceChildren();
    const messages: [string, string, string?][] = [];
    if (model.status === 'error') {
      messages.push([
        'error',
        trans.__('Could not read this folder: %1', model.error ?? '')
      ]);
    }
    if (model.truncated) {
      messages.push([
        'warn',
        trans.__(
          'Only part of this folder was scanned (the server limits how many notebooks, and how deep, it reads). Open a subfolder to see the rest.'
        )
      ]);
    }
    const folder = model.index?.path ?? model.path;
    const unreadable = (model.index?.notebooks ?? []).filter(
      nb => nb.status === 'unreadable'
    );
    if (unreadable.length > 0) {
      // They carry no names, so no row would ever mention them.
      const shown = unreadable
        .slice(0, UNREADABLE_SHOWN)
        .map(nb => relativePath(folder, nb.path));
      if (unreadable.length > UNREADABLE_SHOWN) {
        shown.push('…');
      }
      messages.push([
        'warn',
        trans._n(
          '%1 notebook could not be read: %2',
          '%1 notebooks could not be read: %2',
          unreadable.length,
          shown.join(', ')
        ),
        unreadable
          .map(
            nb => `${nb.path}: ${nb.error?.message ?? trans.__('unreadable')}`
          )
          .join('\n')
      ]);
    }
    // Once the server tells how far it has come, the bar below says it.
    this._progressShown = !this._progressNode.hidden;
    if (
      model.status === 'loading' &&
      model.index === null &&
      !this._progressShown
    ) {
      messages.push(['info', trans.__('Reading notebooks…')]);
    }
    for (const [kind, message, title] of messages) {
      const p = el('p', `${CLASS}-message jp-mod-${kind}`);
      p.textContent = message;
      if (title) {
        p.title = title;
      }
      this._notice.appendChild(p);
    }
    this.toggleClass('jp-mod-loading', model.status === 'loading');
  }

  /**
   * The scan's progress while the index is pending: while folders are being
   * listed, how many notebooks were found (the bar is indeterminate, having
   * no total yet); then "Reading notebooks… 340 of 2,000" on a bar whose
   * `aria-valuenow`/`aria-valuemax` are those counts.
   */
  private _renderProgress(): void {
    const trans = this._trans;
    const model = this.model;
    const progress = model.status === 'loading' ? model.progress : null;
    this._progressNode.hidden = progress === null;
    if (progress === null) {
      return;
    }
    const { folders, notebooks, read } = progress;
    const bar = this._progressBar;
    let text: string;
    if (read === 0) {
      text = trans._n(
        'Looking for notebooks… %2 found in %1 folder',
        'Looking for notebooks… %2 found in %1 folders',
        folders,
        notebooks.toLocaleString()
      );
      bar.removeAttribute('aria-valuenow');
      bar.removeAttribute('aria-valuemax');
      bar.removeAttribute('aria-valuemin');
      this._progressFill.style.width = '';
    } else {
      const total = Math.max(notebooks, read);
      text = trans.__(
        'Reading notebooks… %1 of %2',
        read.toLocaleString(),
        total.toLocaleString()
      );
      bar.setAttribute('aria-valuemin', '0');
      bar.setAttribute('aria-valuemax', String(total));
      bar.setAttribute('aria-valuenow', String(read));
      this._progressFill.style.width = `${(100 * read) / total}%`;
    }
    bar.classList.toggle('jp-mod-indeterminate', read === 0);
    bar.setAttribute('aria-valuetext', text);
    this._progressLabel.textContent = text;
  }

  private _renderList(): void {
    const trans = this._trans;
    const model = this.model;
    const focusKey = (document.activeElement as HTMLElement | null)?.dataset
      ?.nbcFocus;
    const scrollTop = this._list.scrollTop;
    const fragment = document.createDocumentFragment();
    const groups = model.groups;

    if (model.index !== null && model.entries.length === 0) {
      fragment.appendChild(
        this._empty(
          trans.__('No tagged cells or scraps in the notebooks of this folder.')
        )
      );
    } else if (model.entries.length > 0 && groups.length === 0) {
      fragment.appendChild(
        this._empty(trans.__('No name matches “%1”.', model.query))
      );
    }

    let budget = this._nameLimit;
    let hidden = 0;
    for (const group of groups) {
      const section = el('section', `${CLASS}-group`);
      const heading = el('h3', `${CLASS}-groupTitle`);
      heading.textContent =
        group.origin === 'tag'
          ? trans.__('Tags (%1)', group.entries.length)
          : trans.__('Scraps (%1)', group.entries.length);
      section.appendChild(heading);
      const list = el('ul', `${CLASS}-names`);
      list.setAttribute('aria-label', heading.textContent);
      for (const entry of group.entries) {
        if (budget <= 0) {
          hidden++;
          continue;
        }
        budget--;
        list.appendChild(nameRow(this._rowContext, entry));
      }
      section.appendChild(list);
      fragment.appendChild(section);
    }
    if (hidden > 0) {
      const more = el('button', `${CLASS}-more`) as HTMLButtonElement;
      more.type = 'button';
      more.dataset.nbcAction = 'more-names';
      more.dataset.nbcFocus = 'more-names';
      more.textContent = trans._n(
        'Show %1 more name',
        'Show %1 more names',
        Math.min(hidden, NAME_PAGE)
      );
      fragment.appendChild(more);
    }

    this._list.replaceChildren(fragment);
    this._list.scrollTop = scrollTop;
    if (focusKey) {
      const candidates =
        this._list.querySelectorAll<HTMLElement>('[data-nbc-focus]');
      for (const candidate of Array.from(candidates)) {
        if (candidate.dataset.nbcFocus === focusKey) {
          candidate.focus();
          break;
        }
      }
    }
  }

  private _empty(text: string): HTMLElement {
    const p = el('p', `${CLASS}-empty`);
    p.textContent = text;
    return p;
  }

  /** Checkbox states and the footer, without rebuilding the list. */
  private _syncTicks(): void {
    const model = this.model;
    this._list
      .querySelectorAll<HTMLInputElement>('input[data-nbc-name]')
      .forEach(box => {
        box.checked = model.isNameTicked(box.dataset.nbcName!);
      });
    this._list
      .querySelectorAll<HTMLInputElement>('input[data-nbc-path]')
      .forEach(box => {
        box.checked = model.isNotebookTicked(box.dataset.nbcPath!);
      });
    this._list.querySelectorAll('li[data-key]').forEach(li => {
      li.classList.toggle(
        'jp-mod-ticked',
        model.isNameTicked((li as HTMLElement).dataset.key!)
      );
    });

    const trans = this._trans;
    const selection = model.selection;
    const names =
      selection.names.length === 0
        ? trans.__('all names')
        : trans._n('%1 name', '%1 names', selection.names.length);
    const notebooks = trans._n(
      '%1 notebook',
      '%1 notebooks',
      selection.paths.length
    );
    this._summary.textContent =
      model.tickedNames.size + model.tickedPaths.size === 0
        ? trans.__('Tick names and notebooks to compare')
        : `${names} · ${notebooks}`;
    const canCompare = canCompareSelection(selection);
    this._compare.disabled = !canCompare;
    this._compare.title = canCompare
      ? trans.__('Compare %1 in %2', names, notebooks)
      : trans.__('Tick at least two notebooks, or a name two notebooks carry');
    this._clear.disabled =
      model.tickedNames.size + model.tickedPaths.size === 0;
  }

  // ---- events ------------------------------------------------------------

  private _onListChange = (event: Event): void => {
    const box = event.target as HTMLInputElement;
    if (box.dataset.nbcName !== undefined) {
      this.model.setNameTicked(box.dataset.nbcName, box.checked);
    } else if (box.dataset.nbcPath !== undefined) {
      this.model.setNotebookTicked(box.dataset.nbcPath, box.checked);
    }
  };

  private _onListClick = (event: MouseEvent): void => {
    const button = (event.target as HTMLElement).closest<HTMLElement>(
      '[data-nbc-action]'
    );
    if (!button || !this._list.contains(button)) {
      return;
    }
    const action = button.dataset.nbcAction;
    if (action === 'toggle') {
      const key = button.closest<HTMLElement>('li[data-key]')!.dataset.key!;
      this.model.setExpanded(key, !this.model.isExpanded(key));
    } else if (action === 'more-names') {
      this._nameLimit += NAME_PAGE;
      this._renderList();
      this._syncTicks();
    } else if (action === 'more-notebooks') {
      const key = button.dataset.key!;
      this._notebookLimits.set(
        key,
        (this._notebookLimits.get(key) ?? NOTEBOOK_PAGE) + NOTEBOOK_PAGE
      );
      this._renderList();
      this._syncTicks();
    } else if (action === 'pin' && this.model.pin) {
      const path = button.dataset.nbcPath!;
      this.model.pin.set(this.model.pinned === path ? null : path);
    }
  };

  private _onListDblClick = (event: MouseEvent): void => {
    const row = (event.target as HTMLElement).closest<HTMLElement>(
      'li[data-path]'
    );
    if (row && this._onOpen) {
      event.preventDefault();
      void this._onOpen(row.dataset.path!);
    }
  };

  /** What the row builders need; a getter so it always reads the limits. */
  private get _rowContext(): IRowContext {
    return {
      model: this.model,
      trans: this._trans,
      notebookLimit: key => this._notebookLimits.get(key) ?? NOTEBOOK_PAGE
    };
  }

  private _trans: TranslationBundle;
  private _onCompare: (selection: ICompareSelection) => unknown;
  private _onOpen: ((path: string) => unknown) | null;
  private _pollInterval: number;
  private _searchDelay: number;
  private _pollTimer: ReturnType<typeof setTimeout> | null = null;
  private _searchTimer: ReturnType<typeof setTimeout> | null = null;
  private _folder: string | null = null;
  private _nameLimit = NAME_PAGE;
  private _notebookLimits = new Map<string, number>();
  private _folderNode!: HTMLElement;
  private _search!: HTMLInputElement;
  private _recursive!: HTMLInputElement;
  private _notice!: HTMLElement;
  private _progressNode!: HTMLElement;
  private _progressLabel!: HTMLElement;
  private _progressBar!: HTMLElement;
  private _progressFill!: HTMLElement;
  private _progressShown = false;
  private _list!: HTMLElement;
  private _summary!: HTMLElement;
  private _clear!: HTMLButtonElement;
  private _compare!: HTMLButtonElement;
}
