import { TranslationBundle } from '@jupyterlab/translation';

import { IParameterRow } from '../delta';
import { formatFull, formatValue } from '../format';
import { h } from './dom';
import { renderMissing } from './MissingView';

/**
 * One parameter of one notebook: its value (or the expression of a default
 * that is not a literal), and a mark when papermill injected it.
 */
export function renderParameterCell(
  trans: TranslationBundle,
  row: IParameterRow,
  path: string
): HTMLElement {
  const param = row.cells[path];
  if (!param) {
    return renderMissing(trans, row.name);
  }
  const text =
    param.source !== undefined ? param.source : formatValue(param.value);
  return h(
    'span',
    {
      className: 'jp-NbCompare-param',
      title: param.source !== undefined ? param.source : formatFull(param.value)
    },
    [
      h('span', { className: 'jp-NbCompare-value', text }),
      param.injected
        ? h('span', {
            className: 'jp-NbCompare-injected',
            text: trans.__('injected'),
            title: trans.__('injected by papermill')
          })
        : null
    ]
  );
}
