import { IErrorCell } from '../tokens';
import { h } from './dom';

/** An `error` value: the exception's name and message as a badge. */
export function renderError(cell: IErrorCell): HTMLElement {
  return h(
    'span',
    {
      className: 'jp-NbCompare-errorBadge',
      title: `${cell.ename}: ${cell.evalue}`
    },
    [
      h('span', { className: 'jp-NbCompare-errorName', text: cell.ename }),
      h('span', { className: 'jp-NbCompare-errorValue', text: cell.evalue })
    ]
  );
}
