/**
 * The tag browser's tree as one flat list of rows: a group heading (tags,
 * scraps), its names, and under each expanded name its notebooks. A windowed
 * list draws only the rows in view, so it needs the rows by index, their
 * heights, and their place in the tree for ARIA and the keyboard. Pure
 * functions, no DOM: they are cheap on tens of thousands of rows.
 */
import { Origin } from '../tokens';
import { INameEntry, INameGroup, INotebookValue } from './data';

/** What every row knows of its place in the tree (for ARIA and arrows). */
interface IRowBase {
  /** Unique over the list: the windowed list caches row widgets by it. */
  key: string;
  /** `aria-level`: 1 for a group, 2 for a name, 3 for a notebook. */
  level: 1 | 2 | 3;
  /** `aria-setsize`: how many siblings (the row included). */
  setSize: number;
  /** `aria-posinset`: the 1-based position among those siblings. */
  posInSet: number;
  /** The index of the parent row, -1 for a group. */
  parent: number;
}

/** The heading of the tags or of the scraps. */
export interface IGroupRow extends IRowBase {
  type: 'group';
  origin: Origin;
  /** How many names the group lists (after the search). */
  count: number;
  expanded: boolean;
}

/** A name, with its count, range and sparkline. */
export interface INameRow extends IRowBase {
  type: 'name';
  entry: INameEntry;
  expanded: boolean;
}

/** A notebook that carries the name above it. */
export interface INotebookRow extends IRowBase {
  type: 'notebook';
  entry: INameEntry;
  notebook: INotebookValue;
}

/** One row of the tag browser's list. */
export type TagBrowserRow = IGroupRow | INameRow | INotebookRow;

/** What decides which rows are open. */
export interface IFlattenOptions {
  /** Whether a name (by key) shows its notebooks. */
  isExpanded(key: string): boolean;
  /** Whether a group is folded (its names hidden); none by default. */
  isGroupCollapsed?(origin: Origin): boolean;
}

/** The key of a group's heading row. */
export function groupKey(origin: Origin): string {
  return `group:${origin}`;
}

/** The key of a notebook row (a notebook is listed under every name it carries). */
export function notebookKey(nameKey: string, path: string): string {
  return `nb:${nameKey}:${path}`;
}

/**
 * The rows of the list, in display order: each group heading, its names
 * (unless the group is folded), and the notebooks of each expanded name.
 * Linear in the number of rows produced.
 */
export function flattenRows(
  groups: readonly INameGroup[],
  options: IFlattenOptions
): TagBrowserRow[] {
  const rows: TagBrowserRow[] = [];
  groups.forEach((group, g) => {
    const expanded = !(options.isGroupCollapsed?.(group.origin) ?? false);
    const groupIndex = rows.length;
    rows.push({
      type: 'group',
      key: groupKey(group.origin),
      level: 1,
      setSize: groups.length,
      posInSet: g + 1,
      parent: -1,
      origin: group.origin,
      count: group.entries.length,
      expanded
    });
    if (!expanded) {
      return;
    }
    group.entries.forEach((entry, e) => {
      const open = options.isExpanded(entry.key);
      const nameIndex = rows.length;
      rows.push({
        type: 'name',
        key: entry.key,
        level: 2,
        setSize: group.entries.length,
        posInSet: e + 1,
        parent: groupIndex,
        entry,
        expanded: open
      });
      if (!open) {
        return;
      }
      entry.notebooks.forEach((notebook, n) => {
        rows.push({
          type: 'notebook',
          key: notebookKey(entry.key, notebook.path),
          level: 3,
          setSize: entry.notebooks.length,
          posInSet: n + 1,
          parent: nameIndex,
          entry,
          notebook
        });
      });
    });
  });
  return rows;
}

/**
 * The height of each kind of row, in pixels. The stylesheet gives rows
 * exactly these heights (style/tagbrowser.css), so the windowed list knows
 * every offset without measuring rows it has not drawn.
 */
export const ROW_HEIGHT = {
  group: 28,
  name: 28,
  /** A name with a range or a sparkline: a second line. */
  nameWithStats: 46,
  notebook: 24
} as const;

/** Whether a name row has a second line (its range or its sparkline). */
export function hasStats(entry: INameEntry): boolean {
  return (entry.min !== null && entry.max !== null) || entry.series.length >= 2;
}

/** The height of a row (see {@link ROW_HEIGHT}). */
export function rowHeight(row: TagBrowserRow): number {
  switch (row.type) {
    case 'group':
      return ROW_HEIGHT.group;
    case 'name':
      return hasStats(row.entry) ? ROW_HEIGHT.nameWithStats : ROW_HEIGHT.name;
    default:
      return ROW_HEIGHT.notebook;
  }
}

/** What a key press asks of the list. */
export type TreeAction =
  | { type: 'move'; index: number }
  | { type: 'expand'; index: number; expanded: boolean }
  | null;

/**
 * The tree keys of the WAI-ARIA tree pattern, as a pure function of the
 * rows: Up/Down move by one row, Home/End to the first/last, PageUp/PageDown
 * by `page` rows; Right opens a closed row or enters an open one; Left
 * closes an open row or goes to the parent. Enter and Space are the
 * widget's (they act on the model). `null`: the key is not a tree key.
 */
export function treeAction(
  rows: readonly TagBrowserRow[],
  index: number,
  key: string,
  page = 10
): TreeAction {
  const last = rows.length - 1;
  if (last < 0) {
    return null;
  }
  const at = Math.max(0, Math.min(index, last));
  const row = rows[at];
  const move = (to: number): TreeAction => ({
    type: 'move',
    index: Math.max(0, Math.min(to, last))
  });
  switch (key) {
    case 'ArrowDown':
      return move(at + 1);
    case 'ArrowUp':
      return move(at - 1);
    case 'Home':
      return move(0);
    case 'End':
      return move(last);
    case 'PageDown':
      return move(at + Math.max(1, page));
    case 'PageUp':
      return move(at - Math.max(1, page));
    case 'ArrowRight':
      if (row.type === 'notebook' || isEmptyParent(row)) {
        return move(at);
      }
      return row.expanded
        ? move(at + 1)
        : { type: 'expand', index: at, expanded: true };
    case 'ArrowLeft':
      if (row.type !== 'notebook' && row.expanded && !isEmptyParent(row)) {
        return { type: 'expand', index: at, expanded: false };
      }
      return move(row.parent >= 0 ? row.parent : at);
    default:
      return null;
  }
}

/** A group or name without children: nothing to open. */
function isEmptyParent(row: IGroupRow | INameRow): boolean {
  return row.type === 'group'
    ? row.count === 0
    : row.entry.notebooks.length === 0;
}
