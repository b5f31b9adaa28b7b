import { TranslationBundle } from '@jupyterlab/translation';

import { h } from './dom';

/**
 * The explicit "missing" mark: a notebook that lacks a value must never look
 * like one whose value is empty or equal.
 */
export function renderMissing(
  trans: TranslationBundle,
  name: string
): HTMLElement {
  return h('span', {
    className: 'jp-NbCompare-missing',
    text: trans.__('missing'),
    title: trans.__('This notebook has no value named %1', name)
  });
}
