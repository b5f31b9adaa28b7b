/**
 * Pure rules that decide when "Compare notebooks" is offered, kept apart from
 * the file browser so they can be unit-tested.
 */

/** The subset of a file browser item the rules need. */
export interface ISelectableItem {
  path: string;
  type: string;
}

/** The notebooks of a selection, in the order the file browser lists them. */
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
