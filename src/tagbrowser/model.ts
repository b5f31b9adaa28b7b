/**
 * The state of the tag browser: which folder it shows, the index of that
 * folder, the search, what is expanded and what is ticked. No DOM: the
 * widget renders it and the tests drive it directly.
 *
 * Refreshes are coalesced: a refresh asked while one is running runs once
 * more after it, never in parallel, and answers for a folder the user has
 * left are dropped (the request is aborted, so the server stops scanning).
 * File changes are debounced, so a burst of saves or a multi-file delete
 * costs one request. While an index request is pending for long (a first
 * scan of thousands of notebooks), the model polls the server's progress
 * of that scan and emits `progress`.
 */
import { Contents } from '@jupyterlab/services';
import { IDisposable } from '@lumino/disposable';
import { ISignal, Signal } from '@lumino/signaling';

import { basename } from '../format';
import { requestAPI } from '../request';
import { IBaselinePin, IIndexProgress, IIndexResponse } from '../tokens';
import {
  buildEntries,
  compareSelection,
  ICompareSelection,
  INameEntry,
  INameGroup,
  visibleGroups
} from './data';

/** The query of an index (or its progress) request. */
function indexQuery(path: string, recursive: boolean): string {
  return new URLSearchParams({
    path,
    recursive: recursive ? 'true' : 'false'
  }).toString();
}

/**
 * Fetch the index of one folder (the server's `GET nbcompare/index`);
 * `signal` aborts it (the server then stops scanning at the next folder).
 */
export function fetchIndex(
  path: string,
  recursive: boolean,
  signal?: AbortSignal
): Promise<IIndexResponse> {
  const endpoint = `index?${indexQuery(path, recursive)}`;
  return signal
    ? requestAPI<IIndexResponse>(endpoint, { signal })
    : requestAPI<IIndexResponse>(endpoint);
}

/** Fetch how far the index scan of one folder has come (`GET nbcompare/index/progress`). */
export function fetchIndexProgress(
  path: string,
  recursive: boolean
): Promise<IIndexProgress> {
  return requestAPI<IIndexProgress>(
    `index/progress?${indexQuery(path, recursive)}`
  );
}

/** Whether an answer has the shape of a progress (an old server may answer otherwise). */
function isProgress(value: unknown): value is IIndexProgress {
  const answer = value as IIndexProgress | null;
  return (
    typeof answer === 'object' &&
    answer !== null &&
    typeof answer.running === 'boolean' &&
    [answer.folders, answer.notebooks, answer.read].every(
      n => typeof n === 'number' && Number.isFinite(n) && n >= 0
    )
  );
}

/** What changed in the model, so the view redraws only what it must. */
export type TagBrowserChange =
  'data' | 'filter' | 'expand' | 'ticks' | 'pin' | 'status' | 'progress';

/** Whether the index is being fetched, or failed. */
export type TagBrowserStatus = 'idle' | 'loading' | 'error';

/** Options of a {@link TagBrowserModel}. */
export interface ITagBrowserModelOptions {
  /** The pinned baseline, marked in the list and used by "Compare". */
  pin?: IBaselinePin | null;
  /** How long file changes are gathered before one refresh (ms). */
  debounce?: number;
  /** How long an index request is pending before its progress is asked (ms). */
  progressDelay?: number;
  /** How often the progress is asked while the index is pending (ms). */
  progressInterval?: number;
}

/** Whether a path is a direct child of, or (recursive) inside, a folder. */
export function isInFolder(
  path: string,
  folder: string,
  recursive: boolean
): boolean {
  const prefix = folder === '' ? '' : folder + '/';
  if (!path.startsWith(prefix) || path === folder) {
    return false;
  }
  return recursive || !path.slice(prefix.length).includes('/');
}

/**
 * Whether a file change can alter the index of `folder`: a notebook in it
 * was created, saved, renamed or deleted; in a recursive view, a subfolder
 * was renamed or deleted; or the folder itself (or a parent) went away.
 */
export function isRelevantChange(
  change: Contents.IChangedArgs,
  folder: string,
  recursive: boolean
): boolean {
  const paths = [change.oldValue?.path, change.newValue?.path].filter(
    (p): p is string => typeof p === 'string' && p !== ''
  );
  return paths.some(path => {
    if (folder !== '' && (folder === path || folder.startsWith(path + '/'))) {
      return change.type === 'rename' || change.type === 'delete';
    }
    if (!isInFolder(path, folder, recursive)) {
      return false;
    }
    if (path.toLowerCase().endsWith('.ipynb')) {
      return true;
    }
    const isFolderLike = !basename(path).includes('.');
    return (
      recursive &&
      isFolderLike &&
      (change.type === 'rename' || change.type === 'delete')
    );
  });
}

/** The tag browser's state; see the module comment. */
/**
 * Whether a selection can be compared: at least two notebooks (with one
 * there is nothing to line up).
 */
export function canCompareSelection(selection: ICompareSelection): boolean {
  return selection.paths.length >= 2;
}

export class TagBrowserModel implements IDisposable {
  constructor(options: ITagBrowserModelOptions = {}) {
    this._pin = options.pin ?? null;
    this._debounce = options.debounce ?? 300;
    this._progressDelay = options.progressDelay ?? 300;
    this._progressInterval = options.progressInterval ?? 500;
    this._pin?.changed.connect(this._onPinChanged, this);
  }

  /** Emitted with what changed. */
  get changed(): ISignal<this, TagBrowserChange> {
    return this._changed;
  }

  /** The folder shown (a Jupyter path, `''` for the root). */
  get path(): string {
    return this._path;
  }

  /** Whether subfolders are included. */
  get recursive(): boolean {
    return this._recursive;
  }

  /** The search box's text. */
  get query(): string {
    return this._query;
  }

  /** The last index received for the current folder, or null. */
  get index(): IIndexResponse | null {
    return this._index;
  }

  /** Every name of the folder, unfiltered. */
  get entries(): readonly INameEntry[] {
    return this._entries;
  }

  /** The names the list shows: filtered by the search, grouped by origin. */
  get groups(): INameGroup[] {
    if (this._groups === null) {
      this._groups = visibleGroups(this._entries, this._query);
    }
    return this._groups;
  }

  /** Whether the server cut the scan (too many notebooks or too deep). */
  get truncated(): boolean {
    return this._index?.truncated ?? false;
  }

  /** Loading, failed or idle. */
  get status(): TagBrowserStatus {
    return this._status;
  }

  /**
   * How far the server's scan has come while the index is pending (after
   * `progressDelay`), or null: none asked yet, or the answer arrived.
   */
  get progress(): IIndexProgress | null {
    return this._progress;
  }

  /** The last error message, when `status` is `error`. */
  get error(): string | null {
    return this._error;
  }

  /** The pinned notebook, or null. */
  get pinned(): string | null {
    return this._pin?.path ?? null;
  }

  /** The pin service, for views that offer to pin a notebook. */
  get pin(): IBaselinePin | null {
    return this._pin;
  }

  /** How long the last successful fetch took (ms): the poll adapts to it. */
  get lastDuration(): number {
    return this._lastDuration;
  }

  /** Whether the model has been disposed. */
  get isDisposed(): boolean {
    return this._isDisposed;
  }

  /**
   * Show another folder. Ticks and expansions belong to the old folder's
   * notebooks, so they are cleared.
   */
  setPath(path: string): Promise<void> {
    const normalized = path.replace(/^\/+|\/+$/g, '');
    if (
      normalized === this._path &&
      (this._index !== null || this._inflight !== null)
    ) {
      return this._inflight ?? Promise.resolve();
    }
    this._path = normalized;
    this._abortFetch();
    this._resetForNewFolder();
    return this.refresh();
  }

  /** Include subfolders or not; refetches. */
  setRecursive(recursive: boolean): Promise<void> {
    if (recursive === this._recursive) {
      return Promise.resolve();
    }
    this._recursive = recursive;
    this._abortFetch();
    return this.refresh();
  }

  /** Set the search (the widget debounces typing before calling this). */
  setQuery(query: string): void {
    if (query === this._query) {
      return;
    }
    this._query = query;
    this._groups = null;
    this._changed.emit('filter');
  }

  /** Whether a name shows its notebooks. */
  isExpanded(key: string): boolean {
    return this._expanded.has(key);
  }

  /** Expand or collapse a name. */
  setExpanded(key: string, expanded: boolean): void {
    if (this._setMember(this._expanded, key, expanded)) {
      this._changed.emit('expand');
    }
  }

  /** Whether a name is ticked. */
  isNameTicked(key: string): boolean {
    return this._tickedNames.has(key);
  }

  /** Whether a notebook is ticked (one tick per path, under every name). */
  isNotebookTicked(path: string): boolean {
    return this._tickedPaths.has(path);
  }

  /** Tick or untick a name. */
  setNameTicked(key: string, ticked: boolean): void {
    if (this._setMember(this._tickedNames, key, ticked)) {
      this._changed.emit('ticks');
    }
  }

  /** Tick or untick a notebook. */
  setNotebookTicked(path: string, ticked: boolean): void {
    if (this._setMember(this._tickedPaths, path, ticked)) {
      this._changed.emit('ticks');
    }
  }

  /** Untick everything. */
  clearTicks(): void {
    if (this._tickedNames.size === 0 && this._tickedPaths.size === 0) {
      return;
    }
    this._tickedNames.clear();
    this._tickedPaths.clear();
    this._changed.emit('ticks');
  }

  /** The ticked name keys. */
  get tickedNames(): ReadonlySet<string> {
    return this._tickedNames;
  }

  /** The ticked notebook paths. */
  get tickedPaths(): ReadonlySet<string> {
    return this._tickedPaths;
  }

  /** What "Compare" would ask for now. */
  get selection(): ICompareSelection {
    return compareSelection(
      this._entries,
      this._tickedNames,
      this._tickedPaths,
      this.pinned
    );
  }

  /**
   * Whether "Compare" can run: at least two notebooks (with one there is
   * nothing to line up) and something ticked.
   */
  get canCompare(): boolean {
    return canCompareSelection(this.selection);
  }

  /**
   * Fetch the index of the folder now. Never runs two fetches at once: a
   * call during a fetch runs one more fetch after it. Resolves when the model
   * is up to date; failures are kept in `status`/`error`, never thrown.
   */
  refresh(): Promise<void> {
    this._clearTimer();
    if (this._inflight) {
      this._again = true;
      return this._inflight;
    }
    const run = async () => {
      do {
        this._again = false;
        await this._fetchOnce();
      } while (this._again && !this._isDisposed);
    };
    this._inflight = run().finally(() => {
      this._inflight = null;
    });
    return this._inflight;
  }

  /** Refresh after `debounce` ms of quiet: for bursts of file changes. */
  requestRefresh(): void {
    if (this._isDisposed) {
      return;
    }
    this._clearTimer();
    this._timer = setTimeout(() => {
      this._timer = null;
      void this.refresh();
    }, this._debounce);
  }

  /** React to a file change: refresh (debounced) if it concerns the folder. */
  handleFileChange(change: Contents.IChangedArgs): boolean {
    if (!isRelevantChange(change, this._path, this._recursive)) {
      return false;
    }
    this.requestRefresh();
    return true;
  }

  /** Stop timers and listeners. */
  dispose(): void {
    if (this._isDisposed) {
      return;
    }
    this._isDisposed = true;
    this._clearTimer();
    this._abortFetch();
    this._pin?.changed.disconnect(this._onPinChanged, this);
    Signal.clearData(this);
  }

  private async _fetchOnce(): Promise<void> {
    const path = this._path;
    const recursive = this._recursive;
    this._setStatus('loading', null);
    const started = Date.now();
    const controller = new AbortController();
    this._controller = controller;
    this._watchProgress(path, recursive, controller.signal);
    try {
      const index = await fetchIndex(path, recursive, controller.signal);
      this._stopProgress(controller);
      if (this._isDisposed) {
        return;
      }
      if (path !== this._path || recursive !== this._recursive) {
        this._again = true;
        return;
      }
      this._lastDuration = Date.now() - started;
      this._setIndex(index);
      this._setStatus('idle', null);
    } catch (reason) {
      this._stopProgress(controller);
      if (this._isDisposed) {
        return;
      }
      if (path !== this._path || recursive !== this._recursive) {
        this._again = true;
        return;
      }
      // Keep what the folder showed last (a poll may fail while the server
      // restarts); the view says that it could not refresh.
      const message =
        reason instanceof Error ? reason.message : String(reason ?? '');
      this._setStatus('error', message);
    }
  }

  /**
   * Ask the server how far its scan has come, `progressDelay` ms after the
   * index request left, then every `progressInterval` ms (one request at a
   * time) until `signal` aborts: the answer arrived, the folder changed or
   * the model was disposed. A failed ask is not an error of the folder: the
   * next one is tried.
   */
  private _watchProgress(
    path: string,
    recursive: boolean,
    signal: AbortSignal
  ): void {
    if (this._progressDelay < 0) {
      return;
    }
    const ask = async () => {
      this._progressTimer = null;
      let answer: unknown = null;
      try {
        answer = await fetchIndexProgress(path, recursive);
      } catch {
        answer = null;
      }
      if (signal.aborted || this._isDisposed) {
        return;
      }
      if (isProgress(answer) && answer.running) {
        this._setProgress(answer);
      }
      this._progressTimer = setTimeout(
        () => void ask(),
        this._progressInterval
      );
    };
    this._progressTimer = setTimeout(() => void ask(), this._progressDelay);
  }

  /** Stop asking for the progress of the request `controller` made; forget it. */
  private _stopProgress(controller: AbortController): void {
    if (this._controller !== controller) {
      return;
    }
    this._controller = null;
    controller.abort();
    if (this._progressTimer !== null) {
      clearTimeout(this._progressTimer);
      this._progressTimer = null;
    }
    this._setProgress(null);
  }

  /** Abort the index request in flight (the folder changed): the server stops its scan. */
  private _abortFetch(): void {
    if (this._controller !== null) {
      this._stopProgress(this._controller);
    }
  }

  private _setProgress(progress: IIndexProgress | null): void {
    const same =
      progress === this._progress ||
      (progress !== null &&
        this._progress !== null &&
        progress.folders === this._progress.folders &&
        progress.notebooks === this._progress.notebooks &&
        progress.read === this._progress.read);
    if (same) {
      return;
    }
    this._progress = progress;
    if (!this._isDisposed) {
      this._changed.emit('progress');
    }
  }

  private _setIndex(index: IIndexResponse | null): void {
    const signature = index === null ? '' : JSON.stringify(index);
    if (signature === this._signature) {
      return;
    }
    this._signature = signature;
    this._index = index;
    this._entries = index === null ? [] : buildEntries(index);
    this._groups = null;
    this._prune();
    this._changed.emit('data');
  }

  /** Forget ticks and expansions of names and notebooks that went away. */
  private _prune(): void {
    const keys = new Set(this._entries.map(entry => entry.key));
    const paths = new Set(this._index?.notebooks.map(nb => nb.path) ?? []);
    for (const key of Array.from(this._tickedNames)) {
      if (!keys.has(key)) {
        this._tickedNames.delete(key);
      }
    }
    for (const key of Array.from(this._expanded)) {
      if (!keys.has(key)) {
        this._expanded.delete(key);
      }
    }
    for (const path of Array.from(this._tickedPaths)) {
      if (!paths.has(path)) {
        this._tickedPaths.delete(path);
      }
    }
  }

  private _resetForNewFolder(): void {
    this._tickedNames.clear();
    this._tickedPaths.clear();
    this._expanded.clear();
    this._setIndex(null);
  }

  private _setStatus(status: TagBrowserStatus, error: string | null): void {
    if (status === this._status && error === this._error) {
      return;
    }
    this._status = status;
    this._error = error;
    this._changed.emit('status');
  }

  private _setMember(set: Set<string>, value: string, on: boolean): boolean {
    if (on === set.has(value)) {
      return false;
    }
    if (on) {
      set.add(value);
    } else {
      set.delete(value);
    }
    return true;
  }

  private _clearTimer(): void {
    if (this._timer !== null) {
      clearTimeout(this._timer);
      this._timer = null;
    }
  }

  private _onPinChanged(): void {
    this._changed.emit('pin');
  }

  private _path = '';
  private _recursive = false;
  private _query = '';
  private _index: IIndexResponse | null = null;
  private _signature: string | null = null;
  private _entries: INameEntry[] = [];
  private _groups: INameGroup[] | null = null;
  private _status: TagBrowserStatus = 'idle';
  private _error: string | null = null;
  private _expanded = new Set<string>();
  private _tickedNames = new Set<string>();
  private _tickedPaths = new Set<string>();
  private _inflight: Promise<void> | null = null;
  private _again = false;
  private _timer: ReturnType<typeof setTimeout> | null = null;
  private _lastDuration = 0;
  private _debounce: number;
  private _progressDelay: number;
  private _progressInterval: number;
  private _progress: IIndexProgress | null = null;
  private _progressTimer: ReturnType<typeof setTimeout> | null = null;
  private _controller: AbortController | null = null;
  private _pin: IBaselinePin | null;
  private _isDisposed = false;
  private _changed = new Signal<this, TagBrowserChange>(this);
}
