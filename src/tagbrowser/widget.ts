/**
 * The tag browser sidebar: the names (tags and scraps) of the folder the
 * file browser shows, with their kind, count, range and trend; tick names and
 * notebooks, then "Compare".
 *
 * Plain DOM, rendered from the model. The names and notebooks are one
 * windowed tree (list.ts): only the rows in view are in the DOM, so a folder
 * of thousands of names and notebooks scrolls as smoothly as a small one.
 * Text from notebooks (names, paths) is only ever set with `textContent` or
 * attributes.
 */
import { Contents } from '@jupyterlab/services';
import {
  ITranslator,
  nullTranslator,
  TranslationBundle
} from '@jupyterlab/translation';
import { folderIcon, refreshIcon, searchIcon } from '@jupyterlab/ui-components';
import { Message } from '@lumino/messaging';
import { PanelLayout, Widget } from '@lumino/widgets';

import { Origin } from '../tokens';
import { ICompareSelection } from './data';
import { flattenRows, TagBrowserRow, treeAction } from './flat';
import { tagBrowserIcon } from '../icons';
import { TagRowList } from './list';
import {
  TagBrowserChange,
  TagBrowserModel,
  canCompareSelection
} from './model';
import { CLASS, el, iconButton, relativePath, renderRow } from './rows';

/** The sidebar's widget id (restored by the layout restorer). */
export const TAG_BROWSER_ID = 'nbcompare-tag-browser';

/** Unreadable notebooks named in the notice (all of them are on hover). */
const UNREADABLE_SHOWN = 3;

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
    this._list.isParentHidden = false;
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
    // Hidden rows measure 0 px: the list must not take that as their size.
    this._list.isParentHidden = true;
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

    this._emptyNode = el('p', `${CLASS}-empty`);
    this._emptyNode.hidden = true;

    this._list = new TagRowList({
      render: (row, node) =>
        renderRow({ model: this.model, trans: this._trans }, row, node),
      label: trans.__('Names and notebooks')
    });
    this._list.addClass(`${CLASS}-list`);
    const listNode = this._list.node;
    listNode.addEventListener('change', this._onListChange);
    listNode.addEventListener('click', this._onListClick);
    listNode.addEventListener('dblclick', this._onListDblClick);
    listNode.addEventListener('keydown', this._onListKeyDown);

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

    // A layout, so that the list (a Lumino widget) is told when it is
    // attached, shown and resized; the other parts are plain nodes.
    const layout = new PanelLayout();
    for (const node of [
      header,
      this._folderNode,
      controls,
      this._notice,
      this._progressNode,
      this._emptyNode
    ]) {
      layout.addWidget(new Widget({ node }));
    }
    layout.addWidget(this._list);
    layout.addWidget(new Widget({ node: footer }));
    this.layout = layout;
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
        this._renderAll(change);
        break;
    }
  }

  private _renderAll(change?: TagBrowserChange): void {
    this._renderFolder();
    this._renderProgress();
    this._renderNotice();
    this._renderList(change);
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

  /**
   * The tree as rows (the windowed list draws those in view), or why there
   * is none. A new search starts at the top; other changes keep the place.
   */
  private _renderList(change?: TagBrowserChange): void {
    const trans = this._trans;
    const model = this.model;
    let empty = '';
    if (model.index !== null && model.entries.length === 0) {
      empty = trans.__(
        'No tagged cells or scraps in the notebooks of this folder.'
      );
    } else if (model.entries.length > 0 && model.groups.length === 0) {
      empty = trans.__('No name matches “%1”.', model.query);
    }
    this._emptyNode.textContent = empty;
    this._emptyNode.hidden = empty === '';
    const rows = flattenRows(model.groups, {
      isExpanded: key => model.isExpanded(key),
      isGroupCollapsed: origin => this._collapsedGroups.has(origin)
    });
    this._list.setRows(rows, { scrollToTop: change === 'filter' });
  }

  /** Checkbox states and the footer, without rebuilding the list. */
  private _syncTicks(): void {
    const model = this.model;
    // Only the drawn rows: the others are drawn from the model when shown.
    this._list.node
      .querySelectorAll<HTMLInputElement>('input[data-nbc-name]')
      .forEach(box => {
        const ticked = model.isNameTicked(box.dataset.nbcName!);
        box.checked = ticked;
        const row = box.closest('li');
        row?.classList.toggle('jp-mod-ticked', ticked);
        row?.setAttribute('aria-checked', String(ticked));
      });
    this._list.node
      .querySelectorAll<HTMLInputElement>('input[data-nbc-path]')
      .forEach(box => {
        const ticked = model.isNotebookTicked(box.dataset.nbcPath!);
        box.checked = ticked;
        box.closest('li')?.setAttribute('aria-checked', String(ticked));
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
    const target = event.target as HTMLElement;
    const index = this._list.indexOfNode(target);
    const row = this._list.rows[index];
    if (!row) {
      return;
    }
    // The clicked row becomes the keyboard's starting point.
    this._list.activateRow(index, false);
    const button = target.closest<HTMLElement>('[data-nbc-action]');
    const action = button?.dataset.nbcAction;
    if (action === 'toggle' && row.type !== 'notebook') {
      this._list.activateRow(index, true);
      this._setExpanded(row, !row.expanded);
    } else if (action === 'pin' && row.type === 'notebook') {
      this._togglePin(row.notebook.path);
    } else if (!target.closest('input, label, button')) {
      this._list.activateRow(index, true);
    }
  };

  /**
   * The keys of the tree: arrows, Home/End and PageUp/PageDown move and fold
   * (flat.ts `treeAction`); Enter opens (a name or group: its rows; a
   * notebook: the notebook); Space ticks (a group: folds); P pins.
   */
  private _onListKeyDown = (event: KeyboardEvent): void => {
    if (event.altKey || event.ctrlKey || event.metaKey) {
      return;
    }
    const list = this._list;
    const rows = list.rows;
    if (rows.length === 0) {
      return;
    }
    const target = event.target as HTMLElement;
    const fromRow = list.indexOfNode(target);
    const index = fromRow >= 0 ? fromRow : Math.max(list.activeIndex, 0);
    const row = rows[index];
    const [first, last] = list.visibleRange();
    const action = treeAction(
      rows,
      index,
      event.key,
      first >= 0 ? Math.max(1, last - first) : 10
    );
    if (action !== null) {
      event.preventDefault();
      if (action.type === 'move') {
        list.activateRow(action.index, true);
      } else {
        const parent = rows[action.index];
        if (parent.type !== 'notebook') {
          list.activateRow(action.index, true);
          this._setExpanded(parent, action.expanded);
        }
      }
      return;
    }
    // On a checkbox or button (reached with the mouse), Enter and Space are
    // the control's own.
    const onControl = target.matches('input, button');
    if ((event.key === 'Enter' || event.key === ' ') && !onControl) {
      event.preventDefault();
      if (row.type === 'notebook') {
        if (event.key === ' ') {
          const path = row.notebook.path;
          this.model.setNotebookTicked(
            path,
            !this.model.isNotebookTicked(path)
          );
        } else if (this._onOpen) {
          void this._onOpen(row.notebook.path);
        }
      } else if (event.key === ' ' && row.type === 'name') {
        const key = row.entry.key;
        this.model.setNameTicked(key, !this.model.isNameTicked(key));
      } else {
        this._setExpanded(row, !row.expanded);
      }
    } else if (
      (event.key === 'p' || event.key === 'P') &&
      row.type === 'notebook' &&
      this.model.pin
    ) {
      event.preventDefault();
      this._togglePin(row.notebook.path);
    }
  };

  /** Open or fold a group or a name. */
  private _setExpanded(row: TagBrowserRow, expanded: boolean): void {
    if (row.type === 'group') {
      if (expanded) {
        this._collapsedGroups.delete(row.origin);
      } else {
        this._collapsedGroups.add(row.origin);
      }
      this._renderList();
    } else if (row.type === 'name') {
      this.model.setExpanded(row.entry.key, expanded);
    }
  }

  /** Pin a notebook as the baseline, or unpin it. */
  private _togglePin(path: string): void {
    this.model.pin?.set(this.model.pinned === path ? null : path);
  }

  private _onListDblClick = (event: MouseEvent): void => {
    const row = (event.target as HTMLElement).closest<HTMLElement>(
      'li[data-path]'
    );
    if (row && this._onOpen) {
      event.preventDefault();
      void this._onOpen(row.dataset.path!);
    }
  };

  private _trans: TranslationBundle;
  private _onCompare: (selection: ICompareSelection) => unknown;
  private _onOpen: ((path: string) => unknown) | null;
  private _pollInterval: number;
  private _searchDelay: number;
  private _pollTimer: ReturnType<typeof setTimeout> | null = null;
  private _searchTimer: ReturnType<typeof setTimeout> | null = null;
  private _folder: string | null = null;
  /** Groups folded by the user (the model keeps the names' state). */
  private _collapsedGroups = new Set<Origin>();
  private _folderNode!: HTMLElement;
  private _search!: HTMLInputElement;
  private _recursive!: HTMLInputElement;
  private _notice!: HTMLElement;
  private _progressNode!: HTMLElement;
  private _progressLabel!: HTMLElement;
  private _progressBar!: HTMLElement;
  private _progressFill!: HTMLElement;
  private _progressShown = false;
  private _emptyNode!: HTMLElement;
  private _list!: TagRowList;
  private _summary!: HTMLElement;
  private _clear!: HTMLButtonElement;
  private _compare!: HTMLButtonElement;
}
