/**
 * The columns of a comparison (runs, or groups of runs) and their order.
 *
 * Pure, so that the ordering rules are tested without a browser: the
 * baseline (or the baseline's group) always comes first, a sort puts the
 * best value first by the metric's direction, runs or groups without a
 * value go last, and ties keep the notebooks' order.
 */
import { IMetricRow } from './delta';
import { toNumber } from './format';
import { groupId, statOf } from './groups';
import { Direction, IGroup } from './tokens';

/** How the grid is laid out. */
export type GridLayout =
  /** Notebooks (or groups) as columns, values as rows: the default. */
  | 'columns'
  /** Transposed, for wide sweeps: notebooks (or groups) as rows. */
  | 'rows';

/** One column (or, transposed, one row) of the grid. */
export type GridColumn =
  | {
      kind: 'run';
      path: string;
      /** The index of the expanded group the run is shown under, if any. */
      group: number | null;
    }
  | {
      kind: 'group';
      /** The index of the group in the answer's `groups`. */
      group: number;
    };

/** A stable key of a column: `r:<path>` or `g:<group values>`. */
export function columnKey(column: GridColumn, groups: IGroup[] = []): string {
  if (column.kind === 'run') {
    return `r:${column.path}`;
  }
  const group = groups[column.group];
  return `g:${group ? groupId(group) : column.group}`;
}

/**
 * Order items best first by their value of a metric: the pinned item (the
 * baseline) stays first; then ascending for `lower` (and for an unknown
 * direction), descending for `higher`; items without a number (missing,
 * NaN, a boolean) go last. The sort is stable: ties keep their order.
 */
export function sortBest<T>(
  items: T[],
  valueOf: (item: T) => number | null,
  direction: Direction,
  isPinned: (item: T) => boolean = () => false
): T[] {
  const pinned: T[] = [];
  const numbered: { item: T; value: number; at: number }[] = [];
  const rest: T[] = [];
  items.forEach((item, at) => {
    if (isPinned(item)) {
      pinned.push(item);
      return;
    }
    const value = valueOf(item);
    if (value === null || Number.isNaN(value)) {
      rest.push(item);
    } else {
      numbered.push({ item, value, at });
    }
  });
  const sign = direction === 'higher' ? -1 : 1;
  numbered.sort((a, b) =>
    a.value === b.value ? a.at - b.at : a.value < b.value ? -sign : sign
  );
  return [...pinned, ...numbered.map(entry => entry.item), ...rest];
}

/** A run's number for a metrics row (a boolean is not a number here). */
export function runValue(row: IMetricRow, path: string): number | null {
  const cell = row.cells[path];
  return cell ? toNumber(cell.value) : null;
}

/** A group's mean of a metrics row. */
export function groupValue(row: IMetricRow, group: IGroup): number | null {
  const stat = statOf(group, row);
  return stat ? toNumber(stat.mean) : null;
}

/** What {@link orderColumns} needs. */
export interface IColumnOrderOptions {
  /** The notebooks, in the user's order. */
  paths: string[];
  /** The notebook every delta is computed against. */
  baseline: string;
  /** The answer's groups, or null when the runs are not grouped. */
  groups: IGroup[] | null;
  /** The index of the baseline's group. */
  baselineGroup?: number;
  /** Whether a group shows its runs after it. */
  isExpanded?: (group: IGroup) => boolean;
  /** The metrics row to sort by, or null for the notebooks' order. */
  sortBy?: IMetricRow | null;
}

/**
 * The grid's columns. Without groups: one per notebook. With groups: one per
 * group, each expanded group followed by its runs. A sort orders the runs
 * (or the groups by their means, and the runs inside each expanded group)
 * best first, keeping the baseline (its group) first.
 */
export function orderColumns(options: IColumnOrderOptions): GridColumn[] {
  const { paths, baseline, groups } = options;
  const row = options.sortBy ?? null;
  const sortRuns = (runs: string[]) =>
    row
      ? sortBest(
          runs,
          path => runValue(row, path),
          row.direction,
          path => path === baseline
        )
      : runs;
  if (!groups) {
    return sortRuns(paths).map(path => ({ kind: 'run', path, group: null }));
  }
  const indices = groups.map((_, index) => index);
  const baselineGroup = options.baselineGroup ?? 0;
  const ordered = row
    ? sortBest(
        indices,
        index => groupValue(row, groups[index]),
        row.direction,
        index => index === baselineGroup
      )
    : indices;
  const columns: GridColumn[] = [];
  for (const index of ordered) {
    columns.push({ kind: 'group', group: index });
    if (options.isExpanded?.(groups[index])) {
      for (const path of sortRuns(groups[index].paths)) {
        columns.push({ kind: 'run', path, group: index });
      }
    }
  }
  return columns;
}

/**
 * The metrics row a sort names: its id (`tag:metrics.r2`), else its label
 * (`metrics.r2`, or a bare `mse`), preferring a tag over a scrap.
 */
export function findSortRow(
  rows: IMetricRow[],
  sortBy: string | null
): IMetricRow | null {
  if (!sortBy) {
    return null;
  }
  return (
    rows.find(row => row.id === sortBy) ??
    rows.find(row => row.label === sortBy && row.origin === 'tag') ??
    rows.find(row => row.label === sortBy) ??
    null
  );
}
