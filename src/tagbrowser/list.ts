/**
 * The tag browser's list as a JupyterLab `WindowedList`: only the rows in
 * view (and a few either side) are in the DOM, whatever the number of names
 * and notebooks. Rows have fixed heights (flat.ts `rowHeight`, matched by
 * the stylesheet), given to the list up front, so it never has to measure
 * or build a row it does not show.
 *
 * The list is an ARIA tree with one tab stop (a roving `tabindex`): the
 * active row. Rows come and go as the list scrolls, so the list keeps the
 * active row by key, gives focus back to it when it is drawn again, and
 * parks focus on its scroll container meanwhile (so the keys keep working).
 */
import type { IObservableList } from '@jupyterlab/observables';
import {
  ISimpleObservableList,
  WindowedLayout,
  WindowedList,
  WindowedListModel
} from '@jupyterlab/ui-components';
import { Message } from '@lumino/messaging';
import { Signal } from '@lumino/signaling';
import { Widget } from '@lumino/widgets';

import { rowHeight, TagBrowserRow } from './flat';

/** Options of a {@link TagRowList}. */
export interface ITagRowListOptions {
  /** Fill an empty `<li>` with a row (called once per row drawn). */
  render: (row: TagBrowserRow, node: HTMLElement) => void;
  /** The tree's accessible name. */
  label: string;
  /** Rows drawn beyond each edge of the view, for smooth scrolling. */
  overscan?: number;
}

/** The windowed tree of the tag browser; see the module comment. */
export class TagRowList extends WindowedList<TagRowsModel> {
  constructor(options: ITagRowListOptions) {
    const model = new TagRowsModel(options.overscan ?? 8);
    super({ model, layout: new TagRowLayout(), renderer: TREE_RENDERER });
    model.rowWidget = index => this._rowWidget(index);
    this._render = options.render;
    this.viewportNode.setAttribute('aria-label', options.label);
    // The list reads the viewport's padding as a number: without a computed
    // one (no stylesheet, as in jsdom) it would scroll to NaN and spin.
    this.viewportNode.style.padding = '0';
    // The tab stop while the active row is not drawn (see `_syncTabStop`).
    this.outerNode.tabIndex = 0;
    this.outerNode.addEventListener('focus', this._onOuterFocus);
  }

  /** The rows, in display order. */
  get rows(): readonly TagBrowserRow[] {
    return this.viewModel.rows;
  }

  /** The index of the active row (the tab stop), -1 when there is none. */
  get activeIndex(): number {
    return this._activeKey === null
      ? -1
      : (this._indexByKey.get(this._activeKey) ?? -1);
  }

  /**
   * Show new rows. The active row stays active when it is still listed
   * (else the row now at its place is), keeping focus if it had it.
   */
  setRows(
    rows: TagBrowserRow[],
    options: { scrollToTop?: boolean } = {}
  ): void {
    const previous = this.activeIndex;
    this._indexByKey = new Map(rows.map((row, index) => [row.key, index]));
    // The drawn rows describe the old list: draw every row anew.
    this._drawn.clear();
    if (this._activeKey === null || !this._indexByKey.has(this._activeKey)) {
      const at = Math.min(Math.max(previous, 0), rows.length - 1);
      this._activeKey = at >= 0 ? rows[at].key : null;
    }
    if (this.node.contains(document.activeElement)) {
      this._pendingFocus = this._activeKey;
    }
    this.viewModel.setRows(rows);
    this._syncTabStop();
    if (options.scrollToTop) {
      void this.scrollToItem(0, 'start', 0);
    }
    this.update();
  }

  /** The drawn node of a row (by key), if it is in the DOM. */
  nodeOf(key: string): HTMLElement | null {
    return this._drawn.get(key)?.node ?? null;
  }

  /** The index of the row a node belongs to, -1 when none. */
  indexOfNode(node: Element | null): number {
    const li = node?.closest<HTMLElement>('li[role="treeitem"]');
    if (!li || !this.viewportNode.contains(li)) {
      return -1;
    }
    const key = ROW_KEYS.get(li);
    return key === undefined ? -1 : (this._indexByKey.get(key) ?? -1);
  }

  /** The first and last rows fully or partly in view (indices). */
  visibleRange(): [number, number] {
    const range = this.viewModel.getRangeToRender({ virtual: true });
    if (!range || range[2] < 0) {
      return [-1, -1];
    }
    return [range[2], range[3]];
  }

  /**
   * Make a row the active one (the tab stop), scroll it into view, and
   * optionally focus it: now if it is drawn, else as soon as it is.
   */
  activateRow(index: number, focus: boolean): void {
    const row = this.rows[index];
    if (!row) {
      return;
    }
    this._activeKey = row.key;
    this._syncTabStop();
    void this.scrollToItem(index, 'auto', 0);
    if (focus) {
      const node = this.nodeOf(row.key);
      if (node) {
        node.focus({ preventScroll: true });
        this._pendingFocus = null;
      } else {
        this._pendingFocus = row.key;
        this._park();
        this.update();
      }
    }
  }

  dispose(): void {
    if (this.isDisposed) {
      return;
    }
    this.outerNode.removeEventListener('focus', this._onOuterFocus);
    this._sizeObserver?.disconnect();
    const model = this.viewModel;
    super.dispose();
    model.dispose();
  }

  protected onAfterAttach(msg: Message): void {
    super.onAfterAttach(msg);
    // The list's height changes with the sidebar, but also when the notice
    // above it grows or shrinks, which sends no resize message: observe it.
    this._sizeObserver = new ResizeObserver(() => {
      if (this.isVisible) {
        this.processMessage(Widget.ResizeMessage.UnknownSize);
      }
    });
    this._sizeObserver.observe(this.node);
  }

  protected onBeforeDetach(msg: Message): void {
    this._sizeObserver?.disconnect();
    this._sizeObserver = null;
    super.onBeforeDetach(msg);
  }

  /** Called by the layout as a row widget enters the DOM. */
  _rowAttaching(widget: TagRowWidget): void {
    if (!widget.built) {
      this._render(widget.row, widget.node);
      ROW_KEYS.set(widget.node, widget.row.key);
      widget.built = true;
    }
    widget.node.tabIndex = widget.row.key === this._activeKey ? 0 : -1;
    this._drawn.set(widget.row.key, widget);
  }

  /** Called by the layout once a row widget is in the DOM. */
  _rowAttached(widget: TagRowWidget): void {
    if (widget.row.key !== this._activeKey) {
      return;
    }
    this._syncTabStop();
    const active = document.activeElement;
    if (
      this._pendingFocus === widget.row.key &&
      (active === null ||
        active === document.body ||
        this.node.contains(active))
    ) {
      this._pendingFocus = null;
      widget.node.focus({ preventScroll: true });
    }
  }

  /** Called by the layout before a row widget leaves the DOM. */
  _rowDetaching(widget: TagRowWidget): boolean {
    return widget.node.contains(document.activeElement);
  }

  /** Called by the layout once a row widget left the DOM. */
  _rowDetached(widget: TagRowWidget, hadFocus: boolean): void {
    if (this._drawn.get(widget.row.key) === widget) {
      this._drawn.delete(widget.row.key);
    }
    if (hadFocus) {
      // Keep the keys working, and come back to the active row once drawn.
      this._pendingFocus = this._activeKey;
      this._park();
    }
    this._syncTabStop();
  }

  /** The widget of a row: the drawn one, else a new (empty) one. */
  private _rowWidget(index: number): Widget {
    const row = this.rows[index];
    return this._drawn.get(row.key) ?? new TagRowWidget(row);
  }

  /**
   * One tab stop: the active row when it is drawn, else the scroll
   * container (which hands focus to a row, see `_onOuterFocus`).
   */
  private _syncTabStop(): void {
    let activeDrawn = false;
    for (const [key, widget] of this._drawn) {
      const active = key === this._activeKey;
      widget.node.tabIndex = active ? 0 : -1;
      activeDrawn = activeDrawn || active;
    }
    this.outerNode.tabIndex = activeDrawn || this.rows.length === 0 ? -1 : 0;
  }

  /** Focus the scroll container without handing focus on to a row. */
  private _park(): void {
    if (document.activeElement === this.outerNode) {
      return;
    }
    this._parking = true;
    try {
      this.outerNode.focus({ preventScroll: true });
    } finally {
      this._parking = false;
    }
  }

  /**
   * Tabbing onto the scroll container (the active row is scrolled away)
   * focuses the first row in view, which becomes the active row.
   */
  private _onOuterFocus = (): void => {
    if (this._parking || this.rows.length === 0) {
      return;
    }
    const [first, last] = this.visibleRange();
    const active = this.activeIndex;
    const target = active >= first && active <= last ? active : first;
    if (target >= 0) {
      this.activateRow(target, true);
    }
  };

  private _render: (row: TagBrowserRow, node: HTMLElement) => void;
  private _drawn = new Map<string, TagRowWidget>();
  private _indexByKey = new Map<string, number>();
  private _activeKey: string | null = null;
  private _pendingFocus: string | null = null;
  private _parking = false;
  private _sizeObserver: ResizeObserver | null = null;
}

/** The key of each drawn row node (rows outlive a redraw by one frame). */
const ROW_KEYS = new WeakMap<HTMLElement, string>();

/** One row: an `<li>` filled only when it is first drawn. */
export class TagRowWidget extends Widget {
  constructor(readonly row: TagBrowserRow) {
    super({ node: document.createElement('li') });
  }

  /** Whether `render` filled the node. */
  built = false;
}

/**
 * The rows, sized up front: every row height is known (fixed by the
 * stylesheet), so offsets never depend on rows that were not drawn.
 */
export class TagRowsModel extends WindowedListModel {
  constructor(overscan: number) {
    super({ overscanCount: overscan });
    this.itemsList = this._items;
  }

  /** Set by the list: the widget of a row. */
  rowWidget: (index: number) => Widget = () => {
    throw new Error('No row renderer');
  };

  estimateWidgetSize = (index: number): number => {
    const row = this._items.rows[index];
    return row ? rowHeight(row) : 0;
  };

  widgetRenderer = (index: number): Widget => this.rowWidget(index);

  /** The rows shown. */
  get rows(): readonly TagBrowserRow[] {
    return this._items.rows;
  }

  /** Replace the rows; their sizes are known, so they count as measured. */
  setRows(rows: TagBrowserRow[]): void {
    const old = this._items.rows;
    this._items.rows = rows;
    // A clear drops every cached size and offset of the old rows.
    this._items.changed.emit({
      type: 'clear',
      oldIndex: 0,
      newIndex: 0,
      oldValues: old,
      newValues: []
    });
    if (rows.length > 0) {
      this.setWidgetSize(
        rows.map((row, index) => ({ index, size: rowHeight(row) }))
      );
    }
  }

  private _items = new RowItems();
}

/** The rows as the observable list a `WindowedListModel` counts. */
class RowItems implements ISimpleObservableList<TagBrowserRow> {
  rows: TagBrowserRow[] = [];

  get length(): number {
    return this.rows.length;
  }

  get = (index: number): TagBrowserRow => this.rows[index];

  readonly changed = new Signal<
    this,
    IObservableList.IChangedArgs<TagBrowserRow>
  >(this);
}

/** The list's layout, telling the list when rows come and go. */
class TagRowLayout extends WindowedLayout {
  protected attachWidget(index: number, widget: Widget): void {
    const list = this.parent as TagRowList | null;
    if (list && widget instanceof TagRowWidget) {
      list._rowAttaching(widget);
      super.attachWidget(index, widget);
      list._rowAttached(widget);
    } else {
      super.attachWidget(index, widget);
    }
  }

  protected detachWidget(index: number, widget: Widget): void {
    const list = this.parent as TagRowList | null;
    if (list && widget instanceof TagRowWidget) {
      const hadFocus = list._rowDetaching(widget);
      super.detachWidget(index, widget);
      list._rowDetached(widget, hadFocus);
    } else {
      super.detachWidget(index, widget);
    }
  }
}

/** A `<ul role="tree">` viewport, so the rows can be `<li>` tree items. */
class TreeRenderer extends WindowedList.Renderer {
  createViewport(): HTMLElement {
    const ul = document.createElement('ul');
    ul.setAttribute('role', 'tree');
    return ul;
  }
}

const TREE_RENDERER = new TreeRenderer();
