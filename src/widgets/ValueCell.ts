import { ICell } from '../tokens';
import { h } from './dom';
import { renderError } from './ErrorView';
import { renderHtml } from './HtmlView';
import { renderImage } from './ImageView';
import { renderMissing } from './MissingView';
import { renderSequence } from './SequenceView';
import { renderTable } from './TableView';
import { renderText } from './TextView';
import { IViewContext } from './types';
import { formatFull, formatValue } from '../format';

/**
 * One notebook's cell of a value section: the view of its kind, plus the
 * "duplicate" and "several outputs" notes. Scalars and mappings of a mixed
 * row are shown plainly here (the metrics table holds the pure ones).
 */
export function renderValueCell(
  cell: ICell | null,
  context: IViewContext
): HTMLElement {
  const { trans } = context;
  if (!cell) {
    return renderMissing(trans, context.row.name);
  }
  let body: HTMLElement;
  switch (cell.kind) {
    case 'sequence':
      body = renderSequence(cell, context);
      break;
    case 'table':
      body = renderTable(cell, context);
      break;
    case 'image':
      body = renderImage(cell, context);
      break;
    case 'text':
      body = renderText(cell, context);
      break;
    case 'html':
      body = renderHtml(cell, context);
      break;
    case 'error':
      body = renderError(cell);
      break;
    case 'unsupported':
      body = h('span', {
        className: 'jp-NbCompare-unsupported',
        text: cell.message || trans.__('unsupported output')
      });
      break;
    case 'scalar':
      body = h('span', {
        className: 'jp-NbCompare-value',
        text: formatValue(cell.value),
        title: formatFull(cell.value)
      });
      break;
    case 'mapping':
      body = h('pre', {
        className: 'jp-NbCompare-text',
        text: Object.entries(cell.items)
          .map(([key, item]) => `${key}: ${formatValue(item.value)}`)
          .join('\n')
      });
      break;
    default:
      body = h('span', { text: trans.__('unknown kind') });
  }
  const notes: HTMLElement[] = [];
  if (cell.duplicate) {
    notes.push(
      h('span', {
        className: 'jp-NbCompare-note',
        text: trans.__('duplicate'),
        title: trans.__('Several cells carry this name; the last one is shown.')
      })
    );
  }
  if (cell.parts && cell.parts.length > 1) {
    notes.push(
      h('span', {
        className: 'jp-NbCompare-note',
        text: trans.__('%1 outputs', cell.parts.length),
        title: cell.parts.map(part => part.kind).join(', ')
      })
    );
  }
  if (notes.length === 0) {
    return body;
  }
  return h('div', {}, [
    h('div', { className: 'jp-NbCompare-notes' }, notes),
    body
  ]);
}
