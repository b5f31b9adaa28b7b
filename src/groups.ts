/**
 * Pure rules of grouped comparisons: what a group is called, which of its
 * statistics a metric row shows, what a group cell says, and which
 * parameters a sweep can be grouped by.
 *
 * The server computes every figure (means, spreads, Welch's test, see
 * shared/api.md "Groups"); these helpers only choose and word them, so that
 * the rule users rely on, better/worse only beyond the noise, is tested in
 * one place.
 */
import { TranslationBundle } from '@jupyterlab/translation';

import { flatParameters, IMetricRow, IParameterRow } from './delta';
import {
  formatDelta,
  formatFull,
  formatNumber,
  formatPercent,
  formatValue,
  toNumber,
  valueKey
} from './format';
import { IGroup, IGroupStat, INotebookInfo } from './tokens';

/** The significant digits of a standard deviation (a spread needs fewer). */
export const STD_DIGITS = 2;

/** A stable key of a group: its `group_by` values (survives refreshes). */
export function groupId(group: IGroup): string {
  return groupKeyId(group.key);
}

/** The {@link groupId} of a group's `group_by` values (a restored key). */
export function groupKeyId(key: IGroup['key']): string {
  return valueKey(key);
}

/** A group's name as people read it: `model = ridge, model_params.C = 0.1`. */
export function groupLabel(group: IGroup): string {
  const parts = Object.entries(group.key).map(
    ([name, value]) => `${name} = ${formatValue(value)}`
  );
  return parts.join(', ');
}

/** The statistics of a metrics row in one group, or null when it has none. */
export function statOf(group: IGroup, row: IMetricRow): IGroupStat | null {
  return (
    group.stats.find(
      stat =>
        stat.name === row.name &&
        stat.origin === row.origin &&
        (stat.key ?? null) === row.key
    ) ?? null
  );
}

/** The verdict a group cell shows against the baseline's group. */
export type GroupVerdict =
  | 'better'
  | 'worse'
  /** Welch's test finds no difference beyond the noise. */
  | 'noise'
  /** Beyond the noise, for a metric without a direction. */
  | 'beyond'
  | null;

/** What one group cell of a metrics row shows (see {@link groupCellView}). */
export interface IGroupCellView {
  /** `mean ± std` (the mean alone below two runs); '' without any value. */
  main: string;
  /** `n=3`: how many runs the figures are of. */
  n: string;
  /** The delta of means line, e.g. `▼ −0.036 (−6%)`; '' when there is none. */
  delta: string;
  verdict: GroupVerdict;
  /** The verdict in words, shown next to the delta ('' for none). */
  verdictText: string;
  /** Every figure in full, one per line: the hover text. */
  tooltip: string[];
}

/**
 * Word one group's statistics of a metric. Better/worse is shown only when
 * the server says the difference of means is significant (Welch's test) or
 * both groups are single runs; a tested difference that is not significant
 * reads "within noise", whatever its size. Failed runs are named apart, as
 * the server never averages them.
 */
export function groupCellView(
  trans: TranslationBundle,
  stat: IGroupStat | null,
  options: { isBaseline: boolean; failed: number }
): IGroupCellView {
  const tooltip: string[] = [];
  const failedLine =
    options.failed > 0
      ? trans._n(
          '%1 failed run, not averaged',
          '%1 failed runs, not averaged',
          options.failed
        )
      : '';
  const mean = toNumber(stat?.mean ?? null);
  if (!stat || mean === null) {
    tooltip.push(trans.__('No run of this group has the value'), failedLine);
    return {
      main: '',
      n: trans.__('n=%1', stat?.n ?? 0),
      delta: '',
      verdict: null,
      verdictText: '',
      tooltip: tooltip.filter(Boolean)
    };
  }
  const std = toNumber(stat.std);
  const main =
    std === null
      ? formatNumber(mean)
      : `${formatNumber(mean)} \u00b1 ${formatNumber(std, STD_DIGITS)}`;
  tooltip.push(
    trans.__('mean: %1', formatFull(stat.mean)),
    std === null
      ? trans.__('std: none (one run)')
      : trans.__('std: %1', formatFull(stat.std)),
    trans.__('min: %1', formatFull(stat.min)),
    trans.__('max: %1', formatFull(stat.max)),
    trans.__('n: %1', stat.n),
    stat.n_nonfinite
      ? trans._n(
          '%1 non-finite value left out',
          '%1 non-finite values left out',
          stat.n_nonfinite
        )
      : '',
    failedLine
  );
  const view: IGroupCellView = {
    main,
    n: trans.__('n=%1', stat.n),
    delta: '',
    verdict: null,
    verdictText: '',
    tooltip
  };
  if (options.isBaseline) {
    tooltip.push(trans.__('the baseline group: deltas are against its mean'));
    return finish(view);
  }
  const delta = toNumber(stat.delta);
  if (delta === null || Number.isNaN(delta)) {
    return finish(view);
  }
  const rel = toNumber(stat.rel_delta);
  const arrow = delta > 0 ? '\u25b2' : delta < 0 ? '\u25bc' : '';
  view.delta =
    delta === 0
      ? trans.__('= baseline group')
      : `${arrow} ${formatDelta(delta)}${
          rel !== null && Number.isFinite(rel) ? ` (${formatPercent(rel)})` : ''
        }`.trim();
  tooltip.push(
    trans.__('delta of means against the baseline group: %1', formatFull(delta))
  );
  if (stat.p_value !== null && stat.p_value !== undefined) {
    tooltip.push(
      trans.__("Welch's t-test: p = %1", formatNumber(stat.p_value, 3))
    );
  }
  if (stat.better === true || stat.better === false) {
    view.verdict = stat.better ? 'better' : 'worse';
    view.verdictText = stat.better ? trans.__('better') : trans.__('worse');
    tooltip.push(
      stat.significant
        ? stat.better
          ? trans.__('better than the baseline group, beyond the noise')
          : trans.__('worse than the baseline group, beyond the noise')
        : stat.better
          ? trans.__('better than the baseline (single runs, no test)')
          : trans.__('worse than the baseline (single runs, no test)')
    );
  } else if (stat.significant === false) {
    view.verdict = 'noise';
    view.verdictText = trans.__('within noise');
    tooltip.push(
      trans.__('the difference is within the noise of the runs (5% level)')
    );
  } else if (stat.significant === true) {
    view.verdict = 'beyond';
    view.verdictText = trans.__('beyond noise');
    tooltip.push(
      trans.__('different beyond the noise (no direction to call it better)')
    );
  } else if (delta !== 0) {
    tooltip.push(trans.__('too few runs to test the difference (n < 2)'));
  }
  return finish(view);
}

function finish(view: IGroupCellView): IGroupCellView {
  view.tooltip = view.tooltip.filter(Boolean);
  return view;
}

/** What a group shows for one parameter: its value, or how it varies. */
export interface IGroupParameter {
  text: string;
  /** Whether the group's runs disagree on the value. */
  varies: boolean;
  /** Every distinct value, for the hover text. */
  values: string[];
}

/** A parameter over a group's runs: the shared value, or "varies". */
export function groupParameter(
  trans: TranslationBundle,
  row: IParameterRow,
  group: IGroup
): IGroupParameter {
  const seen = new Map<string, string>();
  for (const path of group.paths) {
    const cell = row.cells[path];
    const value = cell ? (cell.source ?? cell.value) : undefined;
    const text =
      cell === null || cell === undefined
        ? trans.__('(none)')
        : cell.source !== undefined
          ? cell.source
          : formatValue(value);
    seen.set(cell ? valueKey(value) : '\u0000missing', text);
  }
  const values = Array.from(seen.values());
  if (values.length === 1) {
    return { text: values[0], varies: false, values };
  }
  return {
    text: trans._n('varies (%1 value)', 'varies (%1 values)', values.length),
    varies: true,
    values
  };
}

/** A parameter the runs can be grouped by. */
export interface IGroupByCandidate {
  /** Its `parameters_flat` name, e.g. `model_params.C`. */
  name: string;
  /** How many distinct values the readable runs have (missing counts as one). */
  distinct: number;
}

/**
 * The parameters to offer in "Group by": every flattened parameter of the
 * readable runs, in order of first appearance, with its number of distinct
 * values. Names already chosen stay offered even when no run has them any
 * more, so that they can be unticked.
 */
export function groupByCandidates(
  notebooks: INotebookInfo[],
  chosen: string[] = []
): IGroupByCandidate[] {
  const readable = notebooks.filter(nb => nb.status !== 'unreadable');
  const flats = readable.map(nb => flatParameters(nb));
  const names: string[] = [];
  const known = new Set<string>();
  for (const flat of flats) {
    for (const name of Object.keys(flat)) {
      if (!known.has(name)) {
        known.add(name);
        names.push(name);
      }
    }
  }
  for (const name of chosen) {
    if (!known.has(name)) {
      known.add(name);
      names.push(name);
    }
  }
  return names.map(name => {
    const values = new Set(
      flats.map(flat =>
        flat[name] ? valueKey(flat[name].value) : '\u0000missing'
      )
    );
    return { name, distinct: flats.length === 0 ? 0 : values.size };
  });
}
