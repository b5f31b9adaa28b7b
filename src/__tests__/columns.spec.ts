import { columnKey, findSortRow, orderColumns, sortBest } from '../columns';
import { isMetricRow, metricRows } from '../delta';
import { S, sweepResponse } from './fixtures';

function rowsOf() {
  const data = sweepResponse();
  const paths = data.notebooks.map(nb => nb.path);
  return {
    data,
    paths,
    rows: metricRows(data.values.filter(isMetricRow), paths)
  };
}

describe('sortBest: best first by direction, the baseline first', () => {
  const values: Record<string, number | null> = {
    a: 3,
    b: 1,
    c: null,
    d: 2,
    e: NaN,
    f: 1
  };
  const items = Object.keys(values);
  const valueOf = (item: string) => values[item];

  it('puts the lowest first for a lower-is-better metric', () => {
    expect(sortBest(items, valueOf, 'lower')).toEqual([
      'b',
      'f',
      'd',
      'a',
      'c',
      'e'
    ]);
  });

  it('puts the highest first for a higher-is-better metric', () => {
    expect(sortBest(items, valueOf, 'higher')).toEqual([
      'a',
      'd',
      'b',
      'f',
      'c',
      'e'
    ]);
  });

  it('keeps the baseline first whatever its value', () => {
    // a is the worst for "lower", and c has no value at all
    expect(sortBest(items, valueOf, 'lower', item => item === 'a')[0]).toBe(
      'a'
    );
    expect(sortBest(items, valueOf, 'higher', item => item === 'c')).toEqual([
      'c',
      'a',
      'd',
      'b',
      'f',
      'e'
    ]);
  });

  it('sorts ascending without a direction, missing and NaN last in their order', () => {
    expect(sortBest(items, valueOf, null)).toEqual([
      'b',
      'f',
      'd',
      'a',
      'c',
      'e'
    ]);
  });

  it('ranks infinities as numbers', () => {
    const v: Record<string, number> = { x: Infinity, y: 0, z: -Infinity };
    expect(sortBest(['x', 'y', 'z'], k => v[k], 'higher')).toEqual([
      'x',
      'y',
      'z'
    ]);
  });
});

describe('orderColumns: the runs or groups of the grid', () => {
  it('keeps the notebooks’ order without a sort', () => {
    const { paths } = rowsOf();
    const columns = orderColumns({ paths, baseline: S.r0, groups: null });
    expect(columns.map(c => (c.kind === 'run' ? c.path : ''))).toEqual(paths);
  });

  it('sorts runs by a metric, the baseline first, a run without it last', () => {
    const { paths, rows } = rowsOf();
    const mse = findSortRow(rows, 'mse')!;
    const columns = orderColumns({
      paths,
      baseline: S.s1,
      groups: null,
      sortBy: mse
    });
    expect(columns.map(c => (c.kind === 'run' ? c.path : ''))).toEqual([
      S.s1, // the baseline, though the worst
      S.r1, // 0.5
      S.l0, // 0.55
      S.l1, // 0.58
      S.r0, // 0.6
      S.s0, // 4.4
      S.lf // failed: no value
    ]);
  });

  it('sorts groups by their means, highest first for r2, baseline group first', () => {
    const { data, paths, rows } = rowsOf();
    const r2 = findSortRow(rows, 'tag:metrics.r2')!;
    expect(r2.direction).toBe('higher');
    const order = (baselineGroup: number) =>
      orderColumns({
        paths,
        baseline: S.r0,
        groups: data.groups!,
        baselineGroup,
        sortBy: r2
      }).map(c => c.group);
    // ridge 0.955, lasso 0.9545, svm 0.65
    expect(order(0)).toEqual([0, 1, 2]);
    expect(order(2)).toEqual([2, 0, 1]);
    // and by mse (lower first): ridge is the baseline group, then lasso, svm
    const mse = findSortRow(rows, 'mse')!;
    const byMse = orderColumns({
      paths,
      baseline: S.s0,
      groups: data.groups!,
      baselineGroup: 2,
      sortBy: mse
    });
    expect(byMse.map(c => c.group)).toEqual([2, 0, 1]);
  });

  it('follows an expanded group with its runs, sorted too', () => {
    const { data, paths, rows } = rowsOf();
    const columns = orderColumns({
      paths,
      baseline: S.r0,
      groups: data.groups!,
      baselineGroup: 0,
      isExpanded: group => group.key.model === 'lasso',
      sortBy: findSortRow(rows, 'mse')
    });
    expect(columns).toEqual([
      { kind: 'group', group: 0 },
      { kind: 'group', group: 1 },
      { kind: 'run', path: S.l0, group: 1 },
      { kind: 'run', path: S.l1, group: 1 },
      { kind: 'run', path: S.lf, group: 1 },
      { kind: 'group', group: 2 }
    ]);
    expect(columns.map(c => columnKey(c, data.groups!))).toEqual([
      'g:{"model":"ridge"}',
      'g:{"model":"lasso"}',
      `r:${S.l0}`,
      `r:${S.l1}`,
      `r:${S.lf}`,
      'g:{"model":"svm"}'
    ]);
  });
});

describe('findSortRow: what a sort names', () => {
  it('takes an id, a label, and prefers a tag over a scrap', () => {
    const { rows } = rowsOf();
    expect(findSortRow(rows, 'tag:mse')?.id).toBe('tag:mse');
    expect(findSortRow(rows, 'metrics.r2')?.id).toBe('tag:metrics.r2');
    expect(findSortRow(rows, 'nothing')).toBeNull();
    expect(findSortRow(rows, null)).toBeNull();
    const scrap = { ...rows[0], id: 'scrap:mse', origin: 'scrap' as const };
    expect(findSortRow([scrap, rows[0]], 'mse')?.id).toBe('tag:mse');
  });
});
