/**
 * Pure comparison rules of the panel: which rows the metrics table has, which
 * value is best, what counts as a difference, and how two tables line up.
 *
 * The server computes deltas; these helpers only reshape its answer for the
 * views, so that the rules users care about (missing is a difference, NaN
 * equals NaN, best per row) are tested in one place.
 */
import { toNumber, valueKey } from './format';
import {
  Direction,
  ICell,
  IDeltaFields,
  INotebookInfo,
  ITableCell,
  IValueRow,
  Label
} from './tokens';

/** One cell of the metrics table: a scalar, or one key of a mapping. */
export interface IMetricCell extends IDeltaFields {
  value: unknown;
  /** For a mapping item: its own direction, as the server decided it. */
  direction?: Direction;
}

/** One row of the metrics table. */
export interface IMetricRow {
  /** Unique id of the row: `origin:name` or `origin:name.key`. */
  id: string;
  /** The value's name. */
  name: string;
  /** The mapping key, or null for a scalar value. */
  key: string | null;
  /** What the row is called in the table: `name` or `name.key`. */
  label: string;
  origin: IValueRow['origin'];
  direction: Direction;
  /** Whether the row differs across notebooks (missing counts). */
  differs: boolean;
  /** Keyed by notebook path; null where the notebook lacks the value/key. */
  cells: Record<string, IMetricCell | null>;
}

/** One parameter across notebooks. */
export interface IParameterRow {
  name: string;
  differs: boolean;
  cells: Record<
    string,
    { value: unknown; injected: boolean; source?: string } | null
  >;
}

/**
 * Whether values differ across notebooks: true when one is missing, false
 * only when all are present and equal (NaN equals NaN).
 */
export function valuesDiffer(values: unknown[], missing: boolean): boolean {
  if (missing) {
    return true;
  }
  const keys = new Set(values.map(valueKey));
  return keys.size > 1;
}

/** Whether a value row holds metrics (scalars or mappings only). */
export function isMetricRow(row: IValueRow): boolean {
  return row.kind === 'scalar' || row.kind === 'mapping';
}

/**
 * The metrics table: one row per scalar value and one per key of every
 * mapping value (keys in order of first appearance), for the given paths.
 */
export function metricRows(values: IValueRow[], paths: string[]): IMetricRow[] {
  const rows: IMetricRow[] = [];
  for (const value of values) {
    if (value.kind === 'scalar') {
      const cells: Record<string, IMetricCell | null> = {};
      for (const path of paths) {
        const cell = value.cells[path];
        cells[path] =
          cell && cell.kind === 'scalar'
            ? {
                value: cell.value,
                delta: cell.delta,
                rel_delta: cell.rel_delta,
                better: cell.better
              }
            : null;
      }
      rows.push(makeRow(value, null, cells, paths));
    } else if (value.kind === 'mapping') {
      const keys: string[] = [];
      const seen = new Set<string>();
      for (const path of paths) {
        const cell = value.cells[path];
        if (cell && cell.kind === 'mapping') {
          for (const key of Object.keys(cell.items)) {
            if (!seen.has(key)) {
              seen.add(key);
              keys.push(key);
            }
          }
        }
      }
      for (const key of keys) {
        const cells: Record<string, IMetricCell | null> = {};
        for (const path of paths) {
          const cell = value.cells[path];
          const item =
            cell && cell.kind === 'mapping' ? cell.items[key] : undefined;
          cells[path] = item ? { ...item } : null;
        }
        rows.push(makeRow(value, key, cells, paths));
      }
    }
  }
  return rows;
}

function makeRow(
  value: IValueRow,
  key: string | null,
  cells: Record<string, IMetricCell | null>,
  paths: string[]
): IMetricRow {
  const label = key === null ? value.name : `${value.name}.${key}`;
  const present = paths.map(p => cells[p]).filter(c => c !== null);
  // The server decides directions (heuristics and the request's overrides):
  // the row's for a scalar, each item's own for a mapping key.
  const direction =
    key === null
      ? value.direction
      : (present.map(c => c!.direction).find(d => d !== undefined) ?? null);
  return {
    id: `${value.origin}:${label}`,
    name: value.name,
    key,
    label,
    origin: value.origin,
    direction,
    differs: valuesDiffer(
      present.map(c => c!.value),
      present.length < paths.length
    ),
    cells
  };
}

/**
 * The notebooks holding the best value of a row: the smallest for `lower`,
 * the largest for `higher`; NaN and booleans never win. Empty when the
 * direction is unknown or every numeric value is the same (nothing stands out).
 */
export function bestPaths(row: IMetricRow, paths: string[]): Set<string> {
  const best = new Set<string>();
  if (row.direction === null) {
    return best;
  }
  const numbers: [string, number][] = [];
  for (const path of paths) {
    const cell = row.cells[path];
    const number = cell ? toNumber(cell.value) : null;
    if (number !== null && !Number.isNaN(number)) {
      numbers.push([path, number]);
    }
  }
  if (numbers.length < 2) {
    return best;
  }
  const target =
    row.direction === 'lower'
      ? Math.min(...numbers.map(n => n[1]))
      : Math.max(...numbers.map(n => n[1]));
  for (const [path, number] of numbers) {
    if (number === target) {
      best.add(path);
    }
  }
  return best.size === numbers.length ? new Set() : best;
}

/**
 * The parameters section: the union of parameter names in order of first
 * appearance; a row differs when a notebook lacks it or the values differ.
 */
export function parameterRows(notebooks: INotebookInfo[]): IParameterRow[] {
  const names: string[] = [];
  const seen = new Set<string>();
  for (const nb of notebooks) {
    for (const name of Object.keys(nb.parameters ?? {})) {
      if (!seen.has(name)) {
        seen.add(name);
        names.push(name);
      }
    }
  }
  const readable = notebooks.filter(nb => nb.status !== 'unreadable');
  return names.map(name => {
    const cells: IParameterRow['cells'] = {};
    const present: unknown[] = [];
    for (const nb of notebooks) {
      const param = nb.parameters?.[name];
      cells[nb.path] = param ? { ...param } : null;
      if (param) {
        present.push(param.source ?? param.value);
      }
    }
    const missing = readable.some(nb => !nb.parameters?.[name]);
    return { name, cells, differs: valuesDiffer(present, missing) };
  });
}

/**
 * Whether a value row differs, for "Only differences": the server's flag,
 * and in any case true when a notebook lacks the value.
 */
export function valueRowDiffers(row: IValueRow, paths: string[]): boolean {
  if (paths.some(p => !row.cells[p])) {
    return true;
  }
  return row.differs;
}

/** What a table cell looks like next to the baseline's table. */
export interface IAlignedCell {
  changed: boolean;
  /** The baseline's value at the same labels, when it has one. */
  base?: unknown;
  /** value - base, when both are numbers. */
  delta?: number;
}

/** A table lined up against the baseline's table of the same name. */
export interface IAlignedTable {
  /** `cells[r][c]` for every row and column of the table. */
  cells: IAlignedCell[][];
  addedRows: Set<number>;
  addedColumns: Set<number>;
  removedRows: Label[];
  removedColumns: Label[];
}

/**
 * Line a table up against the baseline's, so that each changed cell can show
 * the baseline's value and the delta. The server pairs rows and columns by
 * label (a repeated label by its occurrence) and says where each stands
 * (`row_pairs`, `column_pairs`, `changed_at`); without a baseline table
 * nothing is changed or added.
 */
export function alignTable(
  cell: ITableCell,
  base: ICell | null | undefined
): IAlignedTable {
  const table = base && base.kind === 'table' ? base : null;
  const rowPairs = table ? (cell.row_pairs ?? null) : null;
  const columnPairs = table ? (cell.column_pairs ?? null) : null;
  const changed = new Set(
    (table ? (cell.changed_at ?? []) : []).map(([r, c]) => `${r},${c}`)
  );
  const cells = cell.rows.map((values, r) =>
    cell.columns.map((_column, c) => {
      const info: IAlignedCell = { changed: changed.has(`${r},${c}`) };
      const br = rowPairs?.[r];
      const bc = columnPairs?.[c];
      if (table && typeof br === 'number' && typeof bc === 'number') {
        info.base = table.rows[br]?.[bc];
        const a = toNumber(values[c]);
        const b = toNumber(info.base);
        if (a !== null && b !== null) {
          info.delta = a - b;
        }
      }
      return info;
    })
  );
  const added = (pairs: (number | null)[] | null) =>
    new Set((pairs ?? []).flatMap((pair, i) => (pair === null ? [i] : [])));
  return {
    cells,
    addedRows: added(rowPairs),
    addedColumns: added(columnPairs),
    removedRows: cell.removed_rows ?? [],
    removedColumns: cell.removed_columns ?? []
  };
}

/**
 * The baseline to use: an explicit request wins, then the pinned notebook
 * when it is compared, else the first readable column (an unreadable
 * notebook has no values, so as a default it would wipe out every delta);
 * the first column when none is known to be readable.
 */
export function chooseBaseline(
  paths: string[],
  requested: string | null | undefined,
  pinned: string | null | undefined,
  unreadable: ReadonlySet<string> = new Set()
): string {
  if (requested && paths.includes(requested)) {
    return requested;
  }
  if (pinned && paths.includes(pinned)) {
    return pinned;
  }
  return paths.find(path => !unreadable.has(path)) ?? paths[0];
}

/** The notebooks of an answer that could not be read. */
export function unreadablePaths(notebooks: INotebookInfo[]): Set<string> {
  return new Set(
    notebooks.filter(nb => nb.status === 'unreadable').map(nb => nb.path)
  );
}

/** What a metric cell shows under its value, against the baseline's. */
export type DeltaView =
  | { kind: 'none' }
  | { kind: 'same' }
  | { kind: 'delta'; delta: number; rel: number | null };

/**
 * The delta line of a metric cell. Equal values read "= baseline" whatever
 * they are (two equal infinities or two NaNs have a NaN delta, which would
 * otherwise print as "NaN (NaN)"); a delta that is not a number (a NaN on
 * one side) shows nothing rather than a meaningless "NaN".
 */
export function deltaView(
  cell: IMetricCell,
  base: IMetricCell | null | undefined
): DeltaView {
  const delta = toNumber(cell.delta);
  const value = toNumber(cell.value);
  const baseValue = base ? toNumber(base.value) : null;
  if (
    value !== null &&
    baseValue !== null &&
    valueKey(value) === valueKey(baseValue)
  ) {
    return { kind: 'same' };
  }
  if (delta === null || Number.isNaN(delta)) {
    return { kind: 'none' };
  }
  if (delta === 0) {
    return { kind: 'same' };
  }
  const rel = toNumber(cell.rel_delta);
  return {
    kind: 'delta',
    delta,
    rel: rel === null || Number.isNaN(rel) ? null : rel
  };
}

/**
 * A notebook's parameters with dict values flattened to `name.key` leaves:
 * the server's `parameters_flat`, or the same worked out from `parameters`
 * when an older server does not send it.
 */
export function flatParameters(
  notebook: INotebookInfo
): Record<string, { value: unknown; injected: boolean; source?: string }> {
  if (notebook.parameters_flat) {
    return notebook.parameters_flat;
  }
  const flat: Record<
    string,
    { value: unknown; injected: boolean; source?: string }
  > = {};
  const walk = (name: string, value: unknown, injected: boolean) => {
    if (value && typeof value === 'object' && !Array.isArray(value)) {
      const entries = Object.entries(value as Record<string, unknown>);
      if (entries.length > 0) {
        for (const [key, item] of entries) {
          walk(`${name}.${key}`, item, injected);
        }
        return;
      }
    }
    flat[name] = { value, injected };
  };
  for (const [name, param] of Object.entries(notebook.parameters ?? {})) {
    if (param.source !== undefined) {
      flat[name] = { ...param };
    } else {
      walk(name, param.value, param.injected);
    }
  }
  return flat;
}
