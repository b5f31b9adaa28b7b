/**
 * The views of a group of runs: its header (values, run count, failed runs,
 * baseline, expand), its cell of a metrics row (mean ± std, n, the delta of
 * means and whether it is beyond the noise), of a parameter, and of an
 * output (which only its runs can show).
 *
 * Plain functions returning DOM, like the other cell views; the wording is
 * decided by the pure `groupCellView` and `groupParameter` (src/groups.ts).
 */
import { TranslationBundle } from '@jupyterlab/translation';
import {
  caretDownIcon,
  caretRightIcon,
  errorIcon
} from '@jupyterlab/ui-components';

import { IParameterRow } from '../delta';
import { formatValue } from '../format';
import { groupCellView, groupLabel, groupParameter } from '../groups';
import { pinIcon } from '../icons';
import { IGroup, IGroupStat } from '../tokens';
import { h, icon } from './dom';

/** What a group header needs. */
export interface IGroupHeaderOptions {
  trans: TranslationBundle;
  group: IGroup;
  /** The group's index in the answer (its `data-group`). */
  index: number;
  /** Whether the group holds the baseline run. */
  isBaseline: boolean;
  /** Whether its runs are shown next to it. */
  expanded: boolean;
  onToggle: () => void;
  /** Make one of its runs the baseline; null when none can be (all failed). */
  onSetBaseline: (() => void) | null;
  /** The ARIA role of the header ('columnheader', or none inside a row header). */
  role?: string | null;
  /** One short block, for a row header (runs as rows). */
  compact?: boolean;
}

/**
 * The header of a group: a toggle named by the group's values that shows or
 * hides its runs (`aria-expanded`), how many runs it has and how many of
 * them failed (listed apart, never averaged), and the baseline mark or a
 * "Set as baseline" that makes its first readable run the baseline.
 */
export function renderGroupHeader(options: IGroupHeaderOptions): HTMLElement {
  const { trans, group, expanded, isBaseline } = options;
  const label = groupLabel(group);
  const runs = group.paths.length;
  const toggle = h(
    'button',
    {
      className: 'jp-NbCompare-groupToggle',
      title: expanded
        ? trans.__('Hide the runs of %1', label)
        : trans.__('Show the runs of %1', label),
      attrs: {
        'aria-expanded': expanded ? 'true' : 'false',
        'aria-label': trans._n(
          '%2: group of %1 run',
          '%2: group of %1 runs',
          runs,
          label
        ),
        'data-nbc-focus': 'expand'
      },
      onClick: options.onToggle
    },
    [
      icon(expanded ? caretDownIcon : caretRightIcon),
      h(
        'span',
        { className: 'jp-NbCompare-groupKey' },
        Object.entries(group.key).map(([name, value]) =>
          h('span', { className: 'jp-NbCompare-groupKeyPart' }, [
            h('span', { className: 'jp-NbCompare-groupKeyName', text: name }),
            h('span', {
              className: 'jp-NbCompare-groupKeyValue',
              text: ` = ${formatValue(value)}`
            })
          ])
        )
      )
    ]
  );
  const meta = h('div', { className: 'jp-NbCompare-colMeta' }, [
    h('span', {
      className: 'jp-NbCompare-groupRuns',
      text: trans._n('%1 run', '%1 runs', runs)
    }),
    group.failed.length > 0
      ? h(
          'span',
          {
            className: 'jp-NbCompare-status jp-mod-failed',
            title: trans.__(
              'Failed, not averaged:\n%1',
              group.failed.join('\n')
            ),
            attrs: { 'data-status': 'failed' }
          },
          [
            icon(errorIcon),
            h('span', {
              text: trans.__('%1 failed', group.failed.length)
            })
          ]
        )
      : null
  ]);
  const action = isBaseline
    ? h(
        'span',
        {
          className: 'jp-NbCompare-baselineMark',
          title: trans.__(
            'The group of the baseline: every delta of means is against it'
          ),
          attrs: { tabindex: '-1', 'data-nbc-focus': 'baseline' }
        },
        [icon(pinIcon), h('span', { text: trans.__('Baseline group') })]
      )
    : options.onSetBaseline
      ? h(
          'button',
          {
            className: 'jp-NbCompare-setBaseline',
            title: trans.__(
              'Make the first run of %1 the baseline, and its group the baseline group',
              label
            ),
            attrs: { 'data-nbc-focus': 'baseline' },
            onClick: options.onSetBaseline
          },
          [icon(pinIcon), h('span', { text: trans.__('Set as baseline') })]
        )
      : null;
  const attrs: Record<string, string> = { 'data-group': String(options.index) };
  const role = options.role === undefined ? 'columnheader' : options.role;
  if (role) {
    attrs.role = role;
  }
  return h(
    'div',
    {
      className: `jp-NbCompare-colHeader jp-NbCompare-groupHeader${
        isBaseline ? ' jp-mod-baseline' : ''
      }${options.compact ? ' jp-mod-compact' : ''}`,
      attrs
    },
    [toggle, meta, action]
  );
}

/** What a group's cell of a metrics row needs. */
export interface IGroupCellOptions {
  trans: TranslationBundle;
  /** The row's label (`name` or `name.key`), for the missing mark. */
  label: string;
  stat: IGroupStat | null;
  isBaseline: boolean;
  /** How many of the group's runs failed (not averaged). */
  failed: number;
}

/**
 * One group's statistics of a metric: `mean ± std` with `n`, and against
 * the baseline's group the delta of means with better/worse (a sign and a
 * colour) only beyond the noise, else "within noise". Every figure in full,
 * min and max included, is in the hover text and, for screen readers, in
 * the cell's hidden text.
 */
export function renderGroupCell(options: IGroupCellOptions): HTMLElement {
  const { trans } = options;
  const view = groupCellView(trans, options.stat, {
    isBaseline: options.isBaseline,
    failed: options.failed
  });
  const parts: (HTMLElement | null)[] = [];
  if (view.main) {
    parts.push(h('span', { className: 'jp-NbCompare-value', text: view.main }));
  } else {
    parts.push(
      h('span', {
        className: 'jp-NbCompare-missing',
        text: trans.__('no value'),
        title: trans.__(
          'No run of this group has a value named %1',
          options.label
        )
      })
    );
  }
  parts.push(h('span', { className: 'jp-NbCompare-n', text: view.n }));
  if (view.delta || view.verdict) {
    parts.push(h('br'));
  }
  if (view.delta) {
    parts.push(
      h('span', {
        className: `jp-NbCompare-delta${
          view.verdict === 'better' || view.verdict === 'worse'
            ? ` jp-mod-${view.verdict}`
            : ''
        }`,
        text: view.delta
      })
    );
  }
  if (view.verdict) {
    const sign: Record<string, string> = {
      better: '\u2713',
      worse: '\u2717',
      noise: '\u2248',
      beyond: '\u2260'
    };
    parts.push(
      h('span', {
        className: `jp-NbCompare-verdict jp-mod-${view.verdict}`,
        text: `${sign[view.verdict]} ${view.verdictText}`,
        attrs: { 'data-verdict': view.verdict }
      })
    );
  }
  const tooltip = view.tooltip.join('\n');
  parts.push(h('span', { className: 'jp-NbCompare-srOnly', text: tooltip }));
  return h(
    'div',
    { className: 'jp-NbCompare-groupCell', title: tooltip },
    parts
  );
}

/** A group's value of a parameter: the one its runs share, or "varies". */
export function renderGroupParameter(
  trans: TranslationBundle,
  row: IParameterRow,
  group: IGroup
): HTMLElement {
  const param = groupParameter(trans, row, group);
  return h(
    'span',
    {
      className: `jp-NbCompare-param${param.varies ? ' jp-mod-varies' : ''}`,
      title: param.values.join('\n')
    },
    [h('span', { className: 'jp-NbCompare-value', text: param.text })]
  );
}

/** A group's cell of an output: only its runs have one; expanding shows them. */
export function renderGroupOutput(
  trans: TranslationBundle,
  group: IGroup,
  expanded: boolean
): HTMLElement {
  return h('span', {
    className: 'jp-NbCompare-groupNote',
    text: expanded
      ? trans.__(
          'Each run shows its own output, in the columns after this one.'
        )
      : trans._n(
          'Show the run of this group to see its output.',
          'Show the %1 runs of this group to see their outputs.',
          group.paths.length
        )
  });
}
