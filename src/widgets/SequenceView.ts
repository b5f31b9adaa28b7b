import { formatValue, valueKey } from '../format';
import { ISequenceCell } from '../tokens';
import { h } from './dom';
import { IViewContext } from './types';

/** Items shown at most; the rest is summarised. */
export const MAX_ITEMS = 200;

/**
 * A `sequence` value: its items, those added against the baseline marked with
 * "+", and those the baseline has but this one lacks listed struck out with
 * "−" (a sign, not only a colour).
 */
export function renderSequence(
  cell: ISequenceCell,
  context: IViewContext
): HTMLElement {
  const { trans } = context;
  const added = new Set((cell.added ?? []).map(valueKey));
  const list = h('ol', {
    className: 'jp-NbCompare-sequence',
    attrs: { 'aria-label': trans.__('%1 items', cell.items.length) }
  });
  for (const item of cell.items.slice(0, MAX_ITEMS)) {
    const isAdded =
      context.path !== context.baseline && added.has(valueKey(item));
    list.appendChild(
      h('li', {
        className: isAdded
          ? 'jp-NbCompare-item jp-mod-added'
          : 'jp-NbCompare-item',
        text: (isAdded ? '+ ' : '') + formatValue(item),
        title: isAdded ? trans.__('added against the baseline') : ''
      })
    );
  }
  const node = h('div', { className: 'jp-NbCompare-sequenceView' }, [list]);
  if (cell.items.length > MAX_ITEMS) {
    node.appendChild(
      h('div', {
        className: 'jp-NbCompare-more',
        text: trans.__('… %1 more items', cell.items.length - MAX_ITEMS)
      })
    );
  }
  const removed = context.path === context.baseline ? [] : (cell.removed ?? []);
  if (removed.length > 0) {
    const gone = h('ul', {
      className: 'jp-NbCompare-removedItems',
      attrs: { 'aria-label': trans.__('removed against the baseline') }
    });
    for (const item of removed.slice(0, MAX_ITEMS)) {
      gone.appendChild(
        h('li', {
          className: 'jp-NbCompare-item jp-mod-removed',
          text: `\u2212 ${formatValue(item)}`,
          title: trans.__('removed against the baseline')
        })
      );
    }
    node.appendChild(gone);
  }
  return node;
}
