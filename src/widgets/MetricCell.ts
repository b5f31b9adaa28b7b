import { TranslationBundle } from '@jupyterlab/translation';

import { deltaView, IMetricCell, IMetricRow } from '../delta';
import {
  formatDelta,
  formatFull,
  formatNumber,
  formatPercent,
  formatValue,
  toNumber
} from '../format';
import { h } from './dom';
import { renderMissing } from './MissingView';

/** How one metrics cell is placed. */
export interface IMetricCellOptions {
  trans: TranslationBundle;
  row: IMetricRow;
  cell: IMetricCell | null;
  /** The baseline's cell of the row (equal values read "= baseline"). */
  base?: IMetricCell | null;
  isBaseline: boolean;
  isBest: boolean;
  /** Open the notebook at the cell that produced the value. */
  onOpen: () => void;
}

/**
 * One cell of the metrics table: the value with significant digits (full
 * precision on hover), and against the baseline the signed delta and %, with
 * "better"/"worse" shown by a colour-blind-safe colour AND a ✓/✗ sign (colour
 * is never the only cue). The best value of the row carries a ★.
 */
export function renderMetricCell(options: IMetricCellOptions): HTMLElement {
  const { trans, row, cell, isBaseline, isBest } = options;
  if (!cell) {
    return renderMissing(trans, row.label);
  }
  const number = toNumber(cell.value);
  const valueText =
    number !== null ? formatNumber(number) : formatValue(cell.value);
  const tooltip = [formatFull(cell.value)];
  const parts: (HTMLElement | null)[] = [
    h('span', { className: 'jp-NbCompare-value', text: valueText })
  ];
  if (isBest) {
    parts.push(
      h('span', {
        className: 'jp-NbCompare-best',
        text: '\u2605',
        title: trans.__('best value of this row'),
        attrs: { 'aria-label': trans.__('best') }
      })
    );
    tooltip.push(trans.__('best value of this row'));
  }
  const view = isBaseline ? null : deltaView(cell, options.base);
  if (view?.kind === 'same') {
    parts.push(
      h('br'),
      h('span', {
        className: 'jp-NbCompare-delta jp-mod-same',
        text: trans.__('= baseline')
      })
    );
    tooltip.push(trans.__('equal to the baseline'));
  } else if (view?.kind === 'delta') {
    const { delta, rel } = view;
    const verdict =
      cell.better === true ? 'better' : cell.better === false ? 'worse' : '';
    const arrow = delta > 0 ? '\u25b2' : delta < 0 ? '\u25bc' : '';
    let text = `${arrow} ${formatDelta(delta)}`.trim();
    if (rel !== null) {
      text += ` (${formatPercent(rel)})`;
    }
    const deltaNode = h('span', {
      className: `jp-NbCompare-delta${verdict ? ` jp-mod-${verdict}` : ''}`,
      text
    });
    parts.push(h('br'), deltaNode);
    if (verdict) {
      parts.push(
        h('span', {
          className: `jp-NbCompare-verdict jp-mod-${verdict}`,
          text: verdict === 'better' ? '\u2713' : '\u2717',
          attrs: {
            'aria-label':
              verdict === 'better' ? trans.__('better') : trans.__('worse')
          }
        })
      );
    }
    tooltip.push(
      trans.__('delta against the baseline: %1', formatFull(cell.delta)),
      rel !== null ? trans.__('relative: %1', formatPercent(rel, 6)) : '',
      verdict === 'better'
        ? trans.__('better than the baseline')
        : verdict === 'worse'
          ? trans.__('worse than the baseline')
          : ''
    );
  }
  return h(
    'button',
    {
      className: `jp-NbCompare-metric${isBest ? ' jp-mod-best' : ''}`,
      title: tooltip.filter(Boolean).join('\n'),
      onClick: options.onOpen
    },
    parts
  );
}
