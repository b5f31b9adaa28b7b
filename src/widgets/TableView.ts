import { alignTable } from '../delta';
import {
  formatDelta,
  formatFull,
  formatValue,
  labelText,
  toNumber
} from '../format';
import { ITableCell } from '../tokens';
import { h } from './dom';
import { IViewContext } from './types';

/** Rows rendered at most per table (the rest is summarised). */
export const MAX_ROWS = 200;

/** A table value's cell text: numbers with significant digits. */
function cellText(value: unknown): string {
  const number = toNumber(value);
  return number !== null ? formatValue(number) : formatValue(value);
}

/**
 * A `table` value, aligned against the baseline's by labels: changed cells
 * are highlighted and marked, with the baseline's value and the delta in
 * their tooltip; added rows and columns carry a "+" and removed ones are
 * listed with a "−".
 */
export function renderTable(
  cell: ITableCell,
  context: IViewContext
): HTMLElement {
  const { trans } = context;
  const isBase = context.path === context.baseline;
  const aligned = alignTable(cell, isBase ? null : context.baseCell);
  const table = h('table', { className: 'jp-NbCompare-table' });
  const headRow = h('tr', {}, [h('th', { attrs: { scope: 'col' } })]);
  cell.columns.forEach((column, c) => {
    const added = aligned.addedColumns.has(c);
    headRow.appendChild(
      h('th', {
        className: added ? 'jp-mod-added' : '',
        text: (added ? '+ ' : '') + labelText(column),
        title: added ? trans.__('column added against the baseline') : '',
        attrs: { scope: 'col' }
      })
    );
  });
  table.appendChild(h('thead', {}, [headRow]));
  const body = h('tbody');
  cell.rows.slice(0, MAX_ROWS).forEach((values, r) => {
    const addedRow = aligned.addedRows.has(r);
    const tr = h('tr', { className: addedRow ? 'jp-mod-added' : '' }, [
      h('th', {
        text: (addedRow ? '+ ' : '') + labelText(cell.index[r] ?? ''),
        title: addedRow ? trans.__('row added against the baseline') : '',
        attrs: { scope: 'row' }
      })
    ]);
    values.forEach((value, c) => {
      const info = aligned.cells[r]?.[c];
      const td = h('td', { text: cellText(value), title: formatFull(value) });
      if (info?.changed) {
        td.className = 'jp-mod-changed';
        const parts = [
          trans.__('baseline: %1', formatFull(info.base)),
          info.delta !== undefined
            ? trans.__('delta: %1', formatDelta(info.delta, 6))
            : ''
        ].filter(Boolean);
        td.title = `${formatFull(value)}\n${parts.join('\n')}`;
        td.setAttribute(
          'aria-label',
          `${cellText(value)}, ${parts.join(', ')}`
        );
      }
      tr.appendChild(td);
    });
    body.appendChild(tr);
  });
  table.appendChild(body);
  const node = h('div', { className: 'jp-NbCompare-tableView' }, [table]);
  if (cell.rows.length > MAX_ROWS) {
    node.appendChild(
      h('div', {
        className: 'jp-NbCompare-more',
        text: trans.__('… %1 more rows', cell.rows.length - MAX_ROWS)
      })
    );
  }
  const removed: string[] = [];
  if (aligned.removedRows.length > 0) {
    removed.push(
      trans.__('rows: %1', aligned.removedRows.map(labelText).join(', '))
    );
  }
  if (aligned.removedColumns.length > 0) {
    removed.push(
      trans.__('columns: %1', aligned.removedColumns.map(labelText).join(', '))
    );
  }
  if (!isBase && removed.length > 0) {
    node.appendChild(
      h('div', {
        className: 'jp-NbCompare-removedLabels',
        text: `\u2212 ${trans.__('Removed against the baseline')} ${removed.join('; ')}`
      })
    );
  }
  return node;
}
