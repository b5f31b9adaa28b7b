/**
 * Pure rules that decide when "Compare notebooks" is offered and in which
 * order the ticked notebooks come, kept apart from the file browser so they
 * can be unit-tested.
 */
import { IDisposable } from '@lumino/disposable';
import { ISignal } from '@lumino/signaling';

/** The subset of a file browser item the rules need. */
export interface ISelectableItem {
  path: string;
  type: string;
}

/** The notebooks of a selection, in the order of the items given. */
export function selectedNotebooks(items: Iterable<ISelectableItem>): string[] {
  const paths: string[] = [];
  for (const item of items) {
    if (item.type === 'notebook' || item.path.endsWith('.ipynb')) {
      paths.push(item.path);
    }
  }
  return paths;
}

/**
 * The menu entry is shown as soon as one notebook is selected, so the user
 * discovers it; other selected files are ignored, not an obstacle.
 */
export function isCompareVisible(items: Iterable<ISelectableItem>): boolean {
  return selectedNotebooks(items).length >= 1;
}

/**
 * Comparing needs two notebooks: with one there is nothing to line up (the
 * tag browser shows a single notebook's values).
 */
export function isCompareEnabled(items: Iterable<ISelectableItem>): boolean {
  return selectedNotebooks(items).length >= 2;
}

/**
 * The selection in the order the user ticked it: paths still selected keep
 * their place, newly selected ones follow in the order the file browser
 * lists them (a shift-click range, or select-all, ticks them together).
 */
export function tickOrder(
  previous: readonly string[],
  current: readonly string[]
): string[] {
  const now = new Set(current);
  const kept = previous.filter(path => now.has(path));
  const known = new Set(kept);
  return [...kept, ...current.filter(path => !known.has(path))];
}

/** The part of a file browser that {@link TickTracker} follows. */
export interface ITickSource<T extends ISelectableItem> {
  selectionChanged: ISignal<any, void>;
  selectedItems(): IterableIterator<T>;
}

/**
 * Remember the order in which items of a file browser were ticked: its
 * `selectedItems()` lists them in its sort order, which would make the
 * first file by name (not the first one ticked) the default baseline.
 */
export class TickTracker<T extends ISelectableItem> implements IDisposable {
  constructor(source: ITickSource<T>) {
    this._source = source;
    source.selectionChanged.connect(this._update, this);
    this._update();
  }

  /** The selected items, first ticked first. */
  items(): T[] {
    this._update();
    const byPath = new Map<string, T>();
    for (const item of this._source.selectedItems()) {
      byPath.set(item.path, item);
    }
    return this._order.map(path => byPath.get(path)!);
  }

  /** Whether `dispose` was called. */
  get isDisposed(): boolean {
    return this._disposed;
  }

  /** Stop following the file browser. */
  dispose(): void {
    if (this._disposed) {
      return;
    }
    this._disposed = true;
    this._source.selectionChanged.disconnect(this._update, this);
  }

  private _update(): void {
    const current = Array.from(this._source.selectedItems(), i => i.path);
    this._order = tickOrder(this._order, current);
  }

  private _source: ITickSource<T>;
  private _order: string[] = [];
  private _disposed = false;
}
