/**
 * Keyboard focus across redraws of the windowed grid.
 *
 * The grid rebuilds rows (a new baseline, a scroll that moves the column
 * window) by replacing their nodes, which drops the focused element and sends
 * focus to `<body>`: a keyboard user loses their place. These helpers name
 * the focused control by what it is (row, column, control) rather than by
 * its node, so that the same control can be focused again once redrawn.
 */

/** Elements a keyboard user can land on inside a cell. */
const FOCUSABLE =
  'button, a[href], input, select, textarea, [tabindex]:not([tabindex="-1"]), [data-nbc-focus]';

/** The focused control of a grid, by what it is rather than by its node. */
export interface IFocusKey {
  /** The `data-key` of the row. */
  row: string;
  /** The column index (`data-column`), or null for the row's label. */
  column: string | null;
  /** The control's `data-nbc-focus` name, when it has one. */
  control: string | null;
  /** Otherwise its position among the cell's focusable elements. */
  index: number;
}

/** Where focus is inside `root`, or null when it is elsewhere or on `root`. */
export function focusKeyOf(root: HTMLElement): IFocusKey | null {
  const active = root.ownerDocument.activeElement as HTMLElement | null;
  if (!active || active === root || !root.contains(active)) {
    return null;
  }
  const row = active.closest<HTMLElement>('.jp-NbCompare-row');
  if (!row || !root.contains(row)) {
    return null;
  }
  const cell = active.closest<HTMLElement>('[data-column]');
  const scope = cell && row.contains(cell) ? cell : row;
  return {
    row: row.dataset.key ?? '',
    column: scope === cell ? (cell.dataset.column ?? null) : null,
    control: active.dataset.nbcFocus ?? null,
    index: Array.from(scope.querySelectorAll(FOCUSABLE)).indexOf(active)
  };
}

/** Whether focus was dropped (to `<body>` or nowhere) rather than moved. */
export function focusWasLost(doc: Document): boolean {
  const active = doc.activeElement;
  return !active || active === doc.body || !active.isConnected;
}

/**
 * Focus the control `key` names inside a redrawn row, else the first control
 * of the same cell. Returns whether something was focused.
 */
export function restoreFocus(row: HTMLElement, key: IFocusKey): boolean {
  const scope =
    key.column === null
      ? row
      : row.querySelector<HTMLElement>(`[data-column="${key.column}"]`);
  if (!scope) {
    return false;
  }
  const candidates = Array.from(scope.querySelectorAll<HTMLElement>(FOCUSABLE));
  const target =
    (key.control !== null
      ? candidates.find(node => node.dataset.nbcFocus === key.control)
      : candidates[key.index]) ?? candidates[0];
  if (!target) {
    return false;
  }
  // preventScroll: a redraw (a file changed on disk) must not scroll the
  // grid back to a control the user scrolled away from; the grid's focusin
  // handler still moves it out from under the sticky label column.
  target.focus({ preventScroll: true });
  return row.ownerDocument.activeElement === target;
}
