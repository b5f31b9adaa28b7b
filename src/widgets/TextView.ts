import { diffStats, lineDiff } from '../diff';
import { ITextCell } from '../tokens';
import { h } from './dom';
import { IViewContext } from './types';

/** Characters of text rendered at most per cell (the cell scrolls). */
export const MAX_TEXT = 20000;

/**
 * A `text` value: the text itself for the baseline (or when the baseline has
 * no text of that name), else a line diff against the baseline's text with
 * "+"/"−" gutters and a one-line summary.
 */
export function renderText(
  cell: ITextCell,
  context: IViewContext
): HTMLElement {
  const { trans, baseCell } = context;
  const text = cell.text.slice(0, MAX_TEXT);
  const pre = h('pre', { className: 'jp-NbCompare-text' });
  if (
    context.path === context.baseline ||
    !baseCell ||
    baseCell.kind !== 'text'
  ) {
    pre.textContent = text;
    return h('div', { className: 'jp-NbCompare-textView' }, [pre]);
  }
  const lines = lineDiff(baseCell.text.slice(0, MAX_TEXT), text);
  const stats = diffStats(lines);
  for (const line of lines) {
    const sign =
      line.type === 'added' ? '+' : line.type === 'removed' ? '\u2212' : ' ';
    pre.appendChild(
      h('span', {
        className: `jp-NbCompare-line jp-mod-${line.type}`,
        text: `${sign} ${line.text}\n`
      })
    );
  }
  const summary =
    stats.added + stats.removed === 0
      ? trans.__('same as the baseline')
      : trans.__(
          '+%1 −%2 lines against the baseline',
          stats.added,
          stats.removed
        );
  return h('div', { className: 'jp-NbCompare-textView' }, [
    h('div', { className: 'jp-NbCompare-diffSummary', text: summary }),
    pre
  ]);
}
