/**
 * The pinned baseline: one notebook the user chose as the reference of every
 * comparison that includes it. It lives in the state database so that it
 * survives a page reload, and it follows the file when it is renamed or
 * moved, and goes away when the file is deleted, so the pin never points at
 * a path that the user no longer sees.
 */
import { Contents } from '@jupyterlab/services';
import { IStateDB } from '@jupyterlab/statedb';
import { ISignal, Signal } from '@lumino/signaling';
import { IDisposable } from '@lumino/disposable';

import { IBaselinePin } from './tokens';

/** The state database key of the pin (one pin per JupyterLab workspace). */
export const PIN_STATE_KEY = 'jupyterlab-nbcompare:pin';

/** The subset of the contents manager the pin store listens to. */
export interface IFileChangeSource {
  readonly fileChanged: ISignal<any, Contents.IChangedArgs>;
}

/** Options of a {@link BaselinePin}. */
export interface IBaselinePinOptions {
  /** Where the pin is persisted; without one the pin lives for the session. */
  state?: IStateDB | null;
  /** Renames and deletions of files (`app.serviceManager.contents`). */
  contents?: IFileChangeSource | null;
}

/**
 * Where `path` goes when `from` is renamed to `to`: itself when it is `from`,
 * or the same relative place when `from` is a folder that contains it.
 * Returns null when the rename does not concern `path`.
 */
export function followRename(
  path: string,
  from: string,
  to: string
): string | null {
  if (path === from) {
    return to;
  }
  if (from !== '' && path.startsWith(from + '/')) {
    return to + path.slice(from.length);
  }
  return null;
}

/** Whether deleting `deleted` removes `path` (the file itself or a parent folder). */
export function isRemovedBy(path: string, deleted: string): boolean {
  return path === deleted || (deleted !== '' && path.startsWith(deleted + '/'));
}

/**
 * The baseline pin service (`IBaselinePin`), backed by `IStateDB`.
 *
 * The pin is restored asynchronously: `restored` resolves once the stored
 * value (if any) has been read. A `set` made before that wins over the
 * stored value, because it is what the user did last.
 */
export class BaselinePin implements IBaselinePin, IDisposable {
  constructor(options: IBaselinePinOptions = {}) {
    this._state = options.state ?? null;
    this._contents = options.contents ?? null;
    this._contents?.fileChanged.connect(this._onFileChanged, this);
    this.restored = this._restore();
  }

  /** Resolves once the persisted pin has been read (never rejects). */
  readonly restored: Promise<void>;

  /** The pinned notebook path, or null. */
  get path(): string | null {
    return this._path;
  }

  /** Emitted with the new path whenever the pin changes. */
  get changed(): ISignal<this, string | null> {
    return this._changed;
  }

  /** Whether the store has been disposed. */
  get isDisposed(): boolean {
    return this._isDisposed;
  }

  /** Pin a notebook (or unpin with null), and persist it. */
  set(path: string | null): void {
    this._touched = true;
    this._update(path === '' ? null : path);
  }

  /** Stop listening to file changes. */
  dispose(): void {
    if (this._isDisposed) {
      return;
    }
    this._isDisposed = true;
    this._contents?.fileChanged.disconnect(this._onFileChanged, this);
    Signal.clearData(this);
  }

  private async _restore(): Promise<void> {
    if (!this._state) {
      return;
    }
    try {
      const stored = (await this._state.fetch(PIN_STATE_KEY)) as {
        path?: unknown;
      } | null;
      const path =
        stored && typeof stored.path === 'string' && stored.path !== ''
          ? stored.path
          : null;
      if (!this._touched && !this._isDisposed) {
        this._update(path, false);
      }
    } catch (reason) {
      console.warn('nbcompare: could not restore the pinned baseline', reason);
    }
  }

  private _update(path: string | null, persist = true): void {
    if (path === this._path) {
      return;
    }
    this._path = path;
    if (persist && this._state) {
      const saved =
        path === null
          ? this._state.remove(PIN_STATE_KEY)
          : this._state.save(PIN_STATE_KEY, { path });
      saved.catch(reason => {
        console.warn('nbcompare: could not save the pinned baseline', reason);
      });
    }
    this._changed.emit(path);
  }

  private _onFileChanged(_: unknown, change: Contents.IChangedArgs): void {
    const pinned = this._path;
    if (pinned === null) {
      return;
    }
    const oldPath = change.oldValue?.path;
    if (typeof oldPath !== 'string') {
      return;
    }
    if (change.type === 'rename') {
      const newPath = change.newValue?.path;
      if (typeof newPath !== 'string') {
        return;
      }
      const moved = followRename(pinned, oldPath, newPath);
      if (moved !== null) {
        this.set(moved);
      }
    } else if (change.type === 'delete') {
      if (isRemovedBy(pinned, oldPath)) {
        this.set(null);
      }
    }
  }

  private _path: string | null = null;
  private _touched = false;
  private _isDisposed = false;
  private _state: IStateDB | null;
  private _contents: IFileChangeSource | null;
  private _changed = new Signal<this, string | null>(this);
}
