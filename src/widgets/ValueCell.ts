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
 * row are shown plainly here (the metrics table holds the pure ones). A cell
 * with several outputs (two figures, say) shows every one, each against the
 * baseline's output at the same position.
 */
export function renderValueCell(
  cell: ICell | null,
  context: IViewContext
): HTMLElement {
  const { trans } = context;
  if (!cell) {
    return renderMissing(trans, context.row.name);
  }
  const parts = cell.parts && cell.parts.length > 1 ? cell.parts : null;
  const body = parts ? renderParts(parts, context) : renderBody(cell, context);
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

/**
 * The baseline's outputs to line parts up with, by position: its parts, or
 * its one output when it has a single one.
 */
export function baselineParts(base: ICell | null): (ICell | null)[] {
  if (!base) {
    return [];
  }
  return base.parts && base.parts.length > 0 ? base.parts : [base];
}

/** Every output of a several-output cell, each with its position. */
function renderParts(parts: ICell[], context: IViewContext): HTMLElement {
  const { trans } = context;
  const base = baselineParts(context.baseCell);
  return h(
    'ol',
    { className: 'jp-NbCompare-parts' },
    parts.map((part, index) =>
      h(
        'li',
        {
          className: 'jp-NbCompare-part',
          attrs: { 'data-part': String(index) }
        },
        [
          h('div', {
            className: 'jp-NbCompare-partLabel',
            text: trans.__('Output %1 of %2', index + 1, parts.length)
          }),
          renderBody(part, {
            ...context,
            baseCell: base[index] ?? null,
            openImage: (path, row) => context.openImage(path, row, index)
          })
        ]
      )
    )
  );
}

/** The view of one output by its kind. */
function renderBody(cell: ICell, context: IViewContext): HTMLElement {
  const { trans } = context;
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
  return body;
}
