/**
 * What every per-kind view receives: the cell, the baseline's cell of the
 * same name, and the services a view may need. Views are plain functions
 * returning DOM nodes (cheap to create for 200 columns).
 */
import { IRenderMimeRegistry } from '@jupyterlab/rendermime';
import { TranslationBundle } from '@jupyterlab/translation';
import { IDisposable } from '@lumino/disposable';

import { ICell, IValueRow } from '../tokens';

/** The environment of one rendered cell. */
export interface IViewContext {
  trans: TranslationBundle;
  /** The row (named value) the cell belongs to. */
  row: IValueRow;
  /** The notebook (column) of the cell. */
  path: string;
  /** The baseline notebook. */
  baseline: string;
  /** The baseline's cell of this name (null when it lacks it). */
  baseCell: ICell | null;
  /** Renders html untrusted; null in tests without one. */
  rendermime: IRenderMimeRegistry | null;
  /** Keep something to dispose of when the cell is re-rendered. */
  own(disposable: IDisposable): void;
  /**
   * Open the enlarged image / image comparison of this cell, at one of its
   * outputs (`part`) when it has several.
   */
  openImage(path: string, row: IValueRow, part?: number): void;
}
