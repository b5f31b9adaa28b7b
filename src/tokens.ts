/**
 * Every REST payload type of `nbcompare/*` (see shared/api.md), and the
 * plugin tokens, in one place so the server contract is visible at a glance.
 */
import { Token } from '@lumino/coreutils';
import { ISignal } from '@lumino/signaling';

/** A JSON number that may be non-finite: the server sends those as strings. */
export type JSONNumber = number | 'NaN' | 'Infinity' | '-Infinity';

/** Which way a metric should move to be an improvement. */
export type Direction = 'lower' | 'higher' | null;

/** The kinds of value the server classifies outputs into. */
export type ValueKind =
  | 'scalar'
  | 'mapping'
  | 'sequence'
  | 'table'
  | 'image'
  | 'text'
  | 'html'
  | 'error'
  | 'unsupported';

/** Where a named value came from. */
export type Origin = 'tag' | 'scrap';

/** Per-notebook read status. */
export type NotebookStatus = 'ok' | 'failed' | 'unreadable';

/** `GET nbcompare/version`. */
export interface IVersionResponse {
  version: string;
}

/** A papermill parameter of one notebook. */
export interface IParameter {
  value: unknown;
  injected: boolean;
  /** Present when the default is not a literal: its source expression. */
  source?: string;
}

/** A per-notebook error. */
export interface INotebookError {
  code: string;
  message: string;
}

/** One compared notebook (a column). */
export interface INotebookInfo {
  path: string;
  last_modified: string | null;
  status: NotebookStatus;
  error: INotebookError | null;
  duration: number | null;
  parameters: Record<string, IParameter>;
  /**
   * `parameters` with every dict-valued parameter replaced by its leaves,
   * named `name.key` (nested: `name.a.b`).
   */
  parameters_flat?: Record<string, IParameter>;
  /** The first error of a failed run, wherever it happened; null otherwise. */
  failure?: IFailure | null;
}

/** Where and how a failed run stopped (`notebooks[].failure`). */
export interface IFailure {
  ename: string;
  evalue: string;
  /** The 0-based index among all cells, null when only papermill's metadata tells. */
  cell_index: number | null;
}

/** A numeric comparison against the baseline. */
export interface IDeltaFields {
  delta: JSONNumber | null;
  rel_delta: JSONNumber | null;
  better: boolean | null;
}

/** One item of a mapping value. */
export interface IMappingItem extends IDeltaFields {
  value: unknown;
  /** The item's own direction (`name.key` override, else its key's last word). */
  direction?: Direction;
}

/** Fields every cell may carry. */
export interface ICellBase {
  kind: ValueKind;
  duplicate?: boolean;
  /** The index of the code cell that produced the value, to open it there. */
  cell_index?: number;
  parts?: ICell[];
}

export interface IScalarCell extends ICellBase, IDeltaFields {
  kind: 'scalar';
  value: JSONNumber | boolean;
}

export interface IMappingCell extends ICellBase {
  kind: 'mapping';
  items: Record<string, IMappingItem>;
}

export interface ISequenceCell extends ICellBase {
  kind: 'sequence';
  items: unknown[];
  added: unknown[] | null;
  removed: unknown[] | null;
}

/** A table label: a string, or a list of strings for a multi-level label. */
export type Label = string | string[];

export interface ITableCell extends ICellBase {
  kind: 'table';
  columns: Label[];
  index: Label[];
  rows: unknown[][];
  changed: [Label, Label][] | null;
  added_rows: Label[] | null;
  removed_rows: Label[] | null;
  added_columns: Label[] | null;
  removed_columns: Label[] | null;
  /** Per row: the position of its pair in the baseline's table, null if added. */
  row_pairs?: (number | null)[] | null;
  /** Per column: the position of its pair in the baseline's table, null if added. */
  column_pairs?: (number | null)[] | null;
  /** The `[row, column]` positions of the changed cells. */
  changed_at?: [number, number][] | null;
}

export interface IImageCell extends ICellBase {
  kind: 'image';
  mime: string;
  url: string;
  sha256: string;
  width: number | null;
  height: number | null;
}

export interface ITextCell extends ICellBase {
  kind: 'text';
  text: string;
}

export interface IHtmlCell extends ICellBase {
  kind: 'html';
  html: string;
}

export interface IErrorCell extends ICellBase {
  kind: 'error';
  ename: string;
  evalue: string;
}

export interface IUnsupportedCell extends ICellBase {
  kind: 'unsupported';
  message: string;
}

/** One notebook's value of one name. */
export type ICell =
  | IScalarCell
  | IMappingCell
  | ISequenceCell
  | ITableCell
  | IImageCell
  | ITextCell
  | IHtmlCell
  | IErrorCell
  | IUnsupportedCell;

/** One named value across all notebooks (a row). */
export interface IValueRow {
  name: string;
  origin: Origin;
  /**
   * The kind every present cell shares, else `mixed`; `null` when no notebook
   * has a value (e.g. the tagged cell has no output anywhere).
   */
  kind: ValueKind | 'mixed' | null;
  direction: Direction;
  differs: boolean;
  /** Keyed by the request's paths; `null` where a notebook lacks the name. */
  cells: Record<string, ICell | null>;
}

/** `POST nbcompare/compare` request. */
export interface ICompareRequest {
  paths: string[];
  baseline?: string;
  names?: string[];
  directions?: Record<string, 'lower' | 'higher'>;
  /** Names of `parameters_flat` to group the runs by (adds `groups`). */
  group_by?: string[];
}

/**
 * One number-valued value (or mapping item) summarised over a group's `ok`
 * runs, against the baseline's group (see shared/api.md, "Groups").
 */
export interface IGroupStat {
  name: string;
  origin: Origin;
  /** The mapping item's key; null for a scalar value. */
  key: string | null;
  n: number;
  /** Non-finite values left out of every figure (present only when some were). */
  n_nonfinite?: number;
  mean: JSONNumber | null;
  /** Sample standard deviation (n - 1); null below two values. */
  std: JSONNumber | null;
  min: JSONNumber | null;
  max: JSONNumber | null;
  direction?: Direction;
  /** Delta of means against the baseline's group. */
  delta: JSONNumber | null;
  rel_delta: JSONNumber | null;
  /** Welch's two-sided p-value against the baseline's group. */
  p_value?: number | null;
  /** Whether Welch's test puts the difference beyond the noise (5%). */
  significant: boolean | null;
  /** Better/worse by direction, only when significant (or both n = 1). */
  better: boolean | null;
}

/** The runs that share the `group_by` parameters' values. */
export interface IGroup {
  /** The `group_by` parameters' values (null where a run lacks one). */
  key: Record<string, unknown>;
  /** Every run of the group, in request order. */
  paths: string[];
  /** Its runs whose status is not `ok`: listed, never averaged. */
  failed: string[];
  stats: IGroupStat[];
}

/** `POST nbcompare/compare` response. */
export interface ICompareResponse {
  baseline: string;
  notebooks: INotebookInfo[];
  values: IValueRow[];
  /** Only with `group_by`: the groups, in order of first appearance. */
  groups?: IGroup[];
  /** Only with `group_by`: the index of the group holding `baseline`. */
  baseline_group?: number;
}

/** A name as one notebook carries it, in the index. */
export interface IIndexNotebookName {
  name: string;
  origin: Origin;
  kind: ValueKind;
  value?: JSONNumber | boolean;
}

/** One notebook of `GET nbcompare/index`. */
export interface IIndexNotebook {
  path: string;
  last_modified: string | null;
  status: NotebookStatus;
  error?: INotebookError | null;
  names: IIndexNotebookName[];
}

/** One name summarised over a folder. */
export interface IIndexName {
  name: string;
  origin: Origin;
  kind: ValueKind | 'mixed';
  count: number;
  min?: number;
  max?: number;
}

/** `GET nbcompare/index`. */
export interface IIndexResponse {
  path: string;
  notebooks: IIndexNotebook[];
  names: IIndexName[];
  truncated: boolean;
}

/**
 * `GET nbcompare/index/progress`: how far the server's index scan of a
 * folder has come (the tag browser shows it while the index is pending).
 */
export interface IIndexProgress {
  /** Whether a scan of this folder (and `recursive`) is in flight. */
  running: boolean;
  /** Folders entered so far. */
  folders: number;
  /** Notebooks found so far. */
  notebooks: number;
  /** Notebooks read so far (at most `notebooks`). */
  read: number;
}

/**
 * The pinned baseline, shared by the file browser, the tag browser and every
 * comparison panel, persisted in the state database.
 */
export interface IBaselinePin {
  /** The pinned notebook path, or null. */
  readonly path: string | null;
  /** Emitted with the new path whenever the pin changes. */
  readonly changed: ISignal<IBaselinePin, string | null>;
  /** Pin a notebook (or unpin with null). */
  set(path: string | null): void;
}

/** The token of the baseline pin service. */
export const IBaselinePin = new Token<IBaselinePin>(
  'jupyterlab-nbcompare:IBaselinePin',
  'The pinned baseline notebook, shared by every comparison.'
);
