import { nullTranslator } from '@jupyterlab/translation';

import { isMetricRow, metricRows, parameterRows } from '../delta';
import {
  groupByCandidates,
  groupCellView,
  groupId,
  groupLabel,
  groupParameter,
  statOf
} from '../groups';
import { groupStat, sweepResponse } from './fixtures';

const trans = nullTranslator.load('jupyterlab_nbcompare');

describe('groupCellView: what a group cell says', () => {
  it('shows mean ± std with n, and min/max in the hover text', () => {
    const view = groupCellView(
      trans,
      groupStat('mse', null, {
        n: 3,
        mean: 0.60574,
        std: 0.0883473,
        min: 0.505097,
        max: 0.670502,
        delta: 0,
        rel_delta: 0
      }),
      { isBaseline: true, failed: 0 }
    );
    expect(view.main).toBe('0.6057 \u00b1 0.088');
    expect(view.n).toBe('n=3');
    expect(view.tooltip).toContain('min: 0.505097');
    expect(view.tooltip).toContain('max: 0.670502');
    expect(view.tooltip).toContain('mean: 0.60574');
    // the baseline group has no delta and no verdict
    expect(view.delta).toBe('');
    expect(view.verdict).toBeNull();
  });

  it('reads "within noise" when the test finds no difference, however large the delta', () => {
    const view = groupCellView(
      trans,
      groupStat('mse', null, {
        mean: 0.9,
        std: 0.5,
        delta: 0.3,
        rel_delta: 0.5,
        p_value: 0.4,
        significant: false,
        better: null
      }),
      { isBaseline: false, failed: 0 }
    );
    expect(view.verdict).toBe('noise');
    expect(view.verdictText).toBe('within noise');
    expect(view.delta).toBe('\u25b2 +0.3 (+50%)');
    expect(view.tooltip.join('\n')).toContain("Welch's t-test: p = 0.4");
  });

  it('calls better or worse only when the difference is significant', () => {
    const worse = groupCellView(
      trans,
      groupStat('mse', null, {
        mean: 4.8,
        std: 0.5,
        delta: 4.25,
        rel_delta: 7.73,
        p_value: 0.01,
        significant: true,
        better: false
      }),
      { isBaseline: false, failed: 0 }
    );
    expect(worse.verdict).toBe('worse');
    expect(worse.verdictText).toBe('worse');
    const better = groupCellView(
      trans,
      groupStat('mse', null, {
        mean: 0.1,
        std: 0.01,
        delta: -0.45,
        rel_delta: -0.8,
        significant: true,
        better: true
      }),
      { isBaseline: false, failed: 0 }
    );
    expect(better.verdict).toBe('better');
    expect(better.delta.startsWith('\u25bc \u22120.45')).toBe(true);
  });

  it('says "beyond noise" without a direction, and nothing when untested', () => {
    const beyond = groupCellView(
      trans,
      groupStat('n', null, {
        mean: 3,
        std: 0.1,
        delta: 1,
        rel_delta: 0.5,
        significant: true
      }),
      { isBaseline: false, failed: 0 }
    );
    expect(beyond.verdict).toBe('beyond');
    const untested = groupCellView(
      trans,
      groupStat('mse', null, {
        n: 1,
        mean: 3,
        std: null,
        delta: 1,
        rel_delta: 0.5
      }),
      { isBaseline: false, failed: 0 }
    );
    expect(untested.verdict).toBeNull();
    expect(untested.main).toBe('3');
    expect(untested.tooltip.join('\n')).toContain('too few runs');
  });

  it('shows single runs’ better/worse as for single runs (both n = 1)', () => {
    const view = groupCellView(
      trans,
      groupStat('mse', null, {
        n: 1,
        mean: 0.2,
        delta: -0.1,
        rel_delta: -0.33,
        better: true
      }),
      { isBaseline: false, failed: 0 }
    );
    expect(view.verdict).toBe('better');
    expect(view.tooltip.join('\n')).toContain('single runs');
  });

  it('counts failed runs apart and shows no value when none is left', () => {
    const some = groupCellView(
      trans,
      groupStat('mse', null, { n: 2, mean: 1, std: 0 }),
      { isBaseline: false, failed: 1 }
    );
    expect(some.n).toBe('n=2');
    expect(some.tooltip).toContain('1 failed run, not averaged');
    const none = groupCellView(trans, groupStat('mse', null, { n: 0 }), {
      isBaseline: false,
      failed: 3
    });
    expect(none.main).toBe('');
    expect(none.n).toBe('n=0');
    expect(none.tooltip).toContain('3 failed runs, not averaged');
    expect(groupCellView(trans, null, { isBaseline: false, failed: 0 }).n).toBe(
      'n=0'
    );
  });

  it('shows non-finite values left out, and spelled non-finite figures', () => {
    const view = groupCellView(
      trans,
      groupStat('mse', null, {
        n: 2,
        n_nonfinite: 1,
        mean: 1,
        std: 'Infinity'
      }),
      { isBaseline: false, failed: 0 }
    );
    expect(view.main).toBe('1 \u00b1 \u221e');
    expect(view.tooltip).toContain('1 non-finite value left out');
  });
});

describe('the parts of a group', () => {
  const data = sweepResponse();
  const [ridge, lasso] = data.groups!;
  const paths = data.notebooks.map(nb => nb.path);

  it('names a group by its values, and keys it stably', () => {
    expect(groupLabel(ridge)).toBe('model = ridge');
    expect(
      groupLabel({ ...ridge, key: { model: 'svm', 'model_params.C': null } })
    ).toBe('model = svm, model_params.C = None');
    expect(groupId(ridge)).toBe(groupId({ ...ridge, paths: [] }));
    expect(groupId(ridge)).not.toBe(groupId(lasso));
  });

  it('finds the statistics of a scalar and of a mapping item', () => {
    const rows = metricRows(data.values.filter(isMetricRow), paths);
    expect(statOf(lasso, rows[0])?.mean).toBe(0.565);
    expect(statOf(lasso, rows[1])?.mean).toBe(0.9545);
    expect(statOf({ ...lasso, stats: [] }, rows[0])).toBeNull();
  });

  it('shows a parameter the runs share, and "varies" otherwise', () => {
    const params = parameterRows(data.notebooks);
    const model = params.find(p => p.name === 'model')!;
    const seed = params.find(p => p.name === 'seed')!;
    expect(groupParameter(trans, model, ridge)).toEqual({
      text: 'ridge',
      varies: false,
      values: ['ridge']
    });
    const varies = groupParameter(trans, seed, lasso);
    expect(varies.varies).toBe(true);
    expect(varies.text).toBe('varies (2 values)');
    expect(varies.values).toEqual(['0', '1']);
  });

  it('offers every flattened parameter with its number of values', () => {
    expect(groupByCandidates(data.notebooks)).toEqual([
      { name: 'model', distinct: 3 },
      { name: 'model_params.alpha', distinct: 3 },
      { name: 'seed', distinct: 2 },
      { name: 'model_params.C', distinct: 2 }
    ]);
    // a chosen name no run has any more stays offered, to be unticked
    expect(
      groupByCandidates(data.notebooks, ['gone']).map(c => c.name)
    ).toContain('gone');
    // without parameters_flat (an older server), dicts are flattened here
    const old = data.notebooks.map(nb => ({
      ...nb,
      parameters_flat: undefined
    }));
    expect(groupByCandidates(old).map(c => c.name)).toEqual([
      'model',
      'model_params.alpha',
      'seed',
      'model_params.C'
    ]);
  });
});
