/**
 * The one adapter between a `.nbcompare` view file and the state of a
 * comparison panel.
 *
 * A view file is JSON (`jupyterlab_nbcompare/core/view.schema.json`); the
 * server validates it with that schema and expands its patterns (see
 * `expand.ts`). This module maps the validated file to the panel's state and
 * back, one field at a time through {@link VIEW_FIELDS}: to carry a new piece
 * of state, add it to {@link IViewState}, give it one entry in `VIEW_FIELDS`,
 * and read and set it in {@link stateOfModel} / {@link applyStateToModel}.
 * Fields this version does not map (`gates`, a newer version's) are never
 * touched: a file written by a newer version, or by hand, keeps them in place.
 *
 * Writing is a pure function of (the file as loaded, the state it meant, the
 * state now): a field whose state did not change keeps its original text, so
 * toggling something and back gives the original bytes (and a clean
 * document), and a view that is only looked at is never rewritten.
 */
import { PathExt } from '@jupyterlab/coreutils';
import { JSONExt, JSONObject, JSONValue } from '@lumino/coreutils';

import { IChartOptions } from '../charts';
import { GridLayout } from '../columns';
import { CompareModel, ICompareModelOptions } from '../model';

/** The version of the format this code reads and writes (`nbcompare` field). */
export const VIEW_VERSION = 1;

/** The file name suffix of a view. */
export const VIEW_EXTENSION = '.nbcompare';

/** The directions a view may set. */
export type ViewDirection = 'lower' | 'higher';

/**
 * A view file's JSON: the fields this version uses, typed; any other field
 * (`gates`, a newer version's) kept as it is.
 */
export interface IViewFile extends JSONObject {
  nbcompare: number;
  notebooks: string[];
}

/**
 * What a view means to a panel. Paths are API paths (relative to the server
 * root), not the file's own (relative to its folder).
 */
export interface IViewState {
  /** The baseline the view chooses, or null for the panel's default. */
  baseline: string | null;
  /** Only these names, or null for all. */
  names: string[] | null;
  /** The name filter. */
  filter: string;
  /** Whether values equal in every notebook are hidden. */
  onlyDifferences: boolean;
  /** Direction overrides by name or `name.key`. */
  directions: Record<string, ViewDirection>;
  /** The flattened parameters the runs are grouped by (empty: not grouped). */
  groupBy: string[];
  /** The metric the columns are sorted by (`mse`, `metrics.r2`), or null. */
  sort: string | null;
  /** Runs as columns, or as rows. */
  layout: GridLayout;
  /** The chart pane's chart, or null when the pane is closed. */
  chart: IChartOptions | null;
}

/** The state of a comparison nobody changed: what an empty view means. */
export function emptyViewState(): IViewState {
  return {
    baseline: null,
    names: null,
    filter: '',
    onlyDifferences: false,
    directions: {},
    groupBy: [],
    sort: null,
    layout: 'columns',
    chart: null
  };
}

/** What a field's mapping needs besides the value. */
export interface IViewContext {
  /** The folder of the view file (API path, '' for the root). */
  folder: string;
  /** The baseline as the server resolved it (an API path), or null. */
  baseline: string | null;
}

/** How one field of the file maps to one piece of {@link IViewState}. */
export interface IViewField<K extends keyof IViewState = keyof IViewState> {
  /** The field's name in the file. */
  readonly field: string;
  /** The state it maps to. */
  readonly state: K;
  /** The state of a validated file's value (`undefined` when absent). */
  read(value: JSONValue | undefined, context: IViewContext): IViewState[K];
  /** The file's value for a state; `undefined` removes the field. */
  write(value: IViewState[K], context: IViewContext): JSONValue | undefined;
}

/** A field whose state is its value, absent meaning `empty`. */
function plain<K extends keyof IViewState>(
  field: string,
  state: K,
  empty: IViewState[K],
  isEmpty: (value: IViewState[K]) => boolean
): IViewField<K> {
  return {
    field,
    state,
    read: value =>
      value === undefined || value === null
        ? empty
        : (JSONExt.deepCopy(value as JSONValue) as IViewState[K]),
    write: value =>
      isEmpty(value)
        ? undefined
        : (JSONExt.deepCopy(value as unknown as JSONValue) as JSONValue)
  };
}

/**
 * Every field this version maps, file ↔ state. The paths of the file are
 * relative to its folder; the baseline's is resolved by the server, which
 * also checked it is one of the view's notebooks.
 */
export const VIEW_FIELDS: IViewField[] = [
  {
    field: 'baseline',
    state: 'baseline',
    read: (_value, context) => context.baseline,
    write: (value, context) =>
      value === null ? undefined : relativePath(context.folder, value as string)
  } as IViewField<'baseline'>,
  plain('names', 'names', null, value => value === null),
  plain('filter', 'filter', '', value => value === ''),
  plain('only_differences', 'onlyDifferences', false, value => !value),
  plain(
    'directions',
    'directions',
    {},
    value => Object.keys(value as object).length === 0
  ),
  plain('group_by', 'groupBy', [], value => (value as string[]).length === 0),
  {
    field: 'sort',
    state: 'sort',
    read: value => {
      const sort = value as { by?: string; key?: string | null } | null;
      if (!sort || !sort.by) {
        return null;
      }
      return sort.key ? `${sort.by}.${sort.key}` : sort.by;
    },
    write: value => (value === null ? undefined : { by: value as string })
  } as IViewField<'sort'>,
  {
    field: 'layout',
    state: 'layout',
    read: value => (value === 'rows' ? 'rows' : 'columns'),
    write: value => (value === 'rows' ? 'rows' : undefined)
  } as IViewField<'layout'>,
  {
    field: 'chart',
    state: 'chart',
    read: value => {
      const chart = value as {
        x?: string;
        y?: string;
        color?: string | null;
        log_x?: boolean;
      } | null;
      if (!chart || !chart.x || !chart.y) {
        return null;
      }
      return {
        x: chart.x,
        y: chart.y,
        color: chart.color ?? null,
        logX: !!chart.log_x
      };
    },
    write: value => {
      const chart = value as IChartOptions | null;
      if (!chart) {
        return undefined;
      }
      const out: JSONObject = { x: chart.x, y: chart.y };
      if (chart.color) {
        out.color = chart.color;
      }
      if (chart.logX) {
        out.log_x = true;
      }
      return out;
    }
  } as IViewField<'chart'>
] as IViewField[];

/** A path of the view: `path` (an API path) relative to the view's `folder`. */
export function relativePath(folder: string, path: string): string {
  return PathExt.relative(`/${folder}`, `/${path}`);
}

/** The folder of a view file (API path; '' for the root). */
export function viewFolder(path: string): string {
  const folder = PathExt.dirname(path);
  return folder === '.' ? '' : folder;
}

/** A view that cannot be opened, with the field at fault ('' for the whole file). */
export class ViewError extends Error {
  constructor(
    readonly field: string,
    message: string
  ) {
    super(field ? `${field}: ${message}` : message);
    this.name = 'ViewError';
  }
}

/**
 * The file's JSON. The server has validated the text with the schema before
 * this runs; what is left to refuse is what JavaScript's JSON cannot hold
 * (Python's `NaN`), said the way the server says it.
 */
export function parseViewText(text: string): IViewFile {
  let doc: unknown;
  try {
    doc = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (reason) {
    throw new ViewError('', `not valid JSON: ${(reason as Error).message}`);
  }
  if (!doc || typeof doc !== 'object' || Array.isArray(doc)) {
    throw new ViewError('', 'expected a JSON object with the fields of a view');
  }
  return doc as IViewFile;
}

/** The state a validated file means. */
export function readState(view: IViewFile, context: IViewContext): IViewState {
  const state: Partial<Record<keyof IViewState, unknown>> = {};
  for (const field of VIEW_FIELDS) {
    state[field.state] = field.read(
      view[field.field] as JSONValue | undefined,
      context
    );
  }
  return state as unknown as IViewState;
}

/**
 * The file for the state `now`: `original` with every field whose state
 * changed since `loaded` written anew (or removed, when it went back to its
 * default), and every other field, known or not, as it was and where it was.
 */
export function writeState(
  original: IViewFile,
  loaded: IViewState,
  now: IViewState,
  context: IViewContext
): IViewFile {
  const view = JSONExt.deepCopy(original) as IViewFile;
  for (const field of VIEW_FIELDS) {
    const before = loaded[field.state] as unknown as JSONValue;
    const after = now[field.state] as unknown as JSONValue;
    if (JSONExt.deepEqual(before, after)) {
      continue;
    }
    const value = (field as IViewField<typeof field.state>).write(
      now[field.state],
      context
    );
    if (value === undefined) {
      delete view[field.field];
    } else {
      view[field.field] = value;
    }
  }
  return view;
}

/**
 * The text to store for the state `now`: the original text itself when
 * nothing changed (so a hand-formatted file keeps its bytes), else the JSON
 * with two-space indent and a final newline, as the command line writes it.
 */
export function viewText(
  originalText: string,
  original: IViewFile,
  loaded: IViewState,
  now: IViewState,
  context: IViewContext
): string {
  const view = writeState(original, loaded, now, context);
  if (JSONExt.deepEqual(view, original)) {
    return originalText;
  }
  return `${JSON.stringify(view, null, 2)}\n`;
}

/**
 * A new view file for a comparison on screen, saved in `folder`: its
 * notebooks and every field of its state, paths relative to that folder.
 */
export function newViewText(
  paths: string[],
  state: IViewState,
  folder: string
): string {
  const view: IViewFile = {
    nbcompare: VIEW_VERSION,
    notebooks: paths.map(path => relativePath(folder, path))
  };
  const context: IViewContext = { folder, baseline: null };
  for (const field of VIEW_FIELDS) {
    const value = (field as IViewField<typeof field.state>).write(
      state[field.state],
      context
    );
    if (value !== undefined) {
      view[field.field] = value;
    }
  }
  return `${JSON.stringify(view, null, 2)}\n`;
}

/**
 * The state of a panel's model (and of its chart pane: `chart`, null when
 * closed), as a view saves it. A sort by a tag's row is saved by its label
 * (`mse`), as a view names it.
 */
export function stateOfModel(
  model: CompareModel,
  chart: IChartOptions | null = null
): IViewState {
  const sortBy = model.sortBy;
  return {
    baseline: model.requestedBaseline,
    names: model.names ? [...model.names] : null,
    filter: model.filter,
    onlyDifferences: model.onlyDifferences,
    directions: { ...model.directions },
    groupBy: model.groupBy,
    sort: sortBy && sortBy.startsWith('tag:') ? sortBy.slice(4) : sortBy,
    layout: model.layout,
    chart: chart ? normalChart(chart) : null
  };
}

/** A chart with its optional fields spelled out, so that equal charts compare equal. */
function normalChart(chart: IChartOptions): IChartOptions {
  return {
    x: chart.x,
    y: chart.y,
    color: chart.color ?? null,
    logX: !!chart.logX
  };
}

/** The options of a model that starts in `state` (see {@link applyStateToModel}). */
export function modelOptions(
  paths: string[],
  state: IViewState
): ICompareModelOptions {
  return {
    paths,
    baseline: state.baseline ?? undefined,
    names: state.names ?? undefined,
    directions: state.directions,
    groupBy: state.groupBy,
    sortBy: state.sort,
    layout: state.layout
  };
}

/** Set the state a model's constructor does not take (the view's toggles). */
export function applyStateToModel(
  model: CompareModel,
  state: IViewState
): void {
  model.filter = state.filter;
  model.onlyDifferences = state.onlyDifferences;
}
