import { TranslationBundle } from '@jupyterlab/translation';
import { checkIcon, errorIcon } from '@jupyterlab/ui-components';

import { basename, dirname, formatDuration, middleEllipsis } from '../format';
import { pinIcon } from '../icons';
import { INotebookInfo } from '../tokens';
import { h, icon } from './dom';

/**
 * The longest file name a column header shows whole; longer ones lose their
 * middle (the full path is in the tooltip and the accessible name).
 */
export const COLUMN_NAME_CHARS = 30;

/** What a column header needs. */
export interface IColumnHeaderOptions {
  trans: TranslationBundle;
  path: string;
  /** The notebook's info; null before the first answer. */
  info: INotebookInfo | null;
  isBaseline: boolean;
  /** For a failed run without an error record: the exception it raised. */
  failure?: string | null;
  onSetBaseline: () => void;
  onOpen: () => void;
  /**
   * Whether this notebook is the shared pinned baseline (survives reloads and
   * applies to every comparison); undefined when no pin service is available.
   */
  isPinned?: boolean;
  /** Pin this notebook as the shared baseline, or unpin it. */
  onTogglePin?: () => void;
  /** The group the run is shown under (an expanded group), if any. */
  groupLabel?: string | null;
  /**
   * One short block for a row header (runs as rows): no error text (it is in
   * the status's hover text) and no pin toggle.
   */
  compact?: boolean;
  /** The ARIA role ('columnheader' by default; null for none). */
  role?: string | null;
}

/**
 * The header of one notebook column: its name (the full path on hover and
 * in the accessible name; the folder is shown dimmed before the file name),
 * its run status with the error message of a failed or unreadable run, its
 * duration, and the baseline's pin or a "Set as baseline" button.
 */
export function renderColumnHeader(options: IColumnHeaderOptions): HTMLElement {
  const { trans, path, info, isBaseline } = options;
  const status = info?.status ?? null;
  const name = h(
    'button',
    {
      className: 'jp-NbCompare-colName',
      title: trans.__('%1\nOpen this notebook', path),
      attrs: {
        'aria-label': trans.__('Open %1', path),
        'data-nbc-focus': 'open'
      },
      onClick: options.onOpen
    },
    [
      h('span', { className: 'jp-NbCompare-colDir', text: dirname(path) }),
      h('span', {
        className: 'jp-NbCompare-colBase',
        text: middleEllipsis(basename(path), COLUMN_NAME_CHARS)
      })
    ]
  );
  const meta = h('div', { className: 'jp-NbCompare-colMeta' });
  const compact = !!options.compact;
  const failureText =
    info?.error?.message ??
    (status === 'failed'
      ? (options.failure ?? trans.__('The run raised an error.'))
      : null);
  if (status) {
    const labels: Record<string, string> = {
      ok: trans.__('ok'),
      failed: trans.__('failed'),
      unreadable: trans.__('unreadable')
    };
    meta.appendChild(
      h(
        'span',
        {
          className: `jp-NbCompare-status jp-mod-${status}`,
          title: compact && failureText ? failureText : '',
          attrs: { 'data-status': status }
        },
        [
          icon(status === 'ok' ? checkIcon : errorIcon),
          h('span', { text: labels[status] ?? status })
        ]
      )
    );
  }
  const duration = formatDuration(info?.duration);
  if (duration) {
    meta.appendChild(
      h('span', {
        className: 'jp-NbCompare-duration',
        text: duration,
        title: trans.__('run time')
      })
    );
  }
  const message = info?.error?.message;
  const errorNode = compact
    ? null
    : message
      ? h('div', {
          className: 'jp-NbCompare-colError',
          text: message,
          title: message,
          attrs: { role: 'note' }
        })
      : status === 'failed'
        ? h('div', {
            className: 'jp-NbCompare-colError',
            text: options.failure ?? trans.__('The run raised an error.'),
            title: options.failure ?? '',
            attrs: { role: 'note' }
          })
        : null;
  // An unreadable notebook has no values: as a baseline it would wipe out
  // every delta, so it is offered neither as baseline nor as pin.
  const unreadable = status === 'unreadable';
  const action = isBaseline
    ? h(
        'span',
        {
          className: 'jp-NbCompare-baselineMark',
          title: trans.__('Every delta is computed against this notebook'),
          // Focusable from script only: "Set as baseline" turns into this
          // mark, and the keyboard user's focus lands on it.
          attrs: { tabindex: '-1', 'data-nbc-focus': 'baseline' }
        },
        [icon(pinIcon), h('span', { text: trans.__('Baseline') })]
      )
    : unreadable
      ? null
      : h(
          'button',
          {
            className: 'jp-NbCompare-setBaseline',
            title: trans.__('Compute every delta against %1', path),
            attrs: { 'data-nbc-focus': 'baseline' },
            onClick: options.onSetBaseline
          },
          [icon(pinIcon), h('span', { text: trans.__('Set as baseline') })]
        );
  const pinToggle =
    !compact && options.onTogglePin && !(unreadable && !options.isPinned)
      ? h(
          'button',
          {
            className: `jp-NbCompare-pinToggle${
              options.isPinned ? ' jp-mod-pinned' : ''
            }`,
            title: options.isPinned
              ? trans.__(
                  'Unpin %1: comparisons go back to their first column',
                  path
                )
              : trans.__(
                  'Pin %1 as the baseline of every comparison that includes it, across reloads',
                  path
                ),
            attrs: {
              'aria-pressed': options.isPinned ? 'true' : 'false',
              'data-nbc-focus': 'pin'
            },
            onClick: options.onTogglePin
          },
          [
            h('span', {
              text: options.isPinned
                ? trans.__('Unpin baseline')
                : trans.__('Pin as baseline')
            })
          ]
        )
      : null;
  const attrs: Record<string, string> = { 'data-path': path };
  const role = options.role === undefined ? 'columnheader' : options.role;
  if (role) {
    attrs.role = role;
  }
  const inGroup = options.groupLabel
    ? h('div', {
        className: 'jp-NbCompare-memberOf',
        text: trans.__('in %1', options.groupLabel),
        title: trans.__('A run of the group %1', options.groupLabel)
      })
    : null;
  return h(
    'div',
    {
      className: `jp-NbCompare-colHeader${isBaseline ? ' jp-mod-baseline' : ''}${
        options.groupLabel ? ' jp-mod-member' : ''
      }${compact ? ' jp-mod-compact' : ''}`,
      attrs
    },
    [inGroup, name, meta, errorNode, action, pinToggle]
  );
}
