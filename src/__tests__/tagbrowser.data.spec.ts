import {
  buildEntries,
  compareSelection,
  bucketize,
  formatNumber,
  formatValue,
  groupEntries,
  INotebookValue,
  nameKey,
  sparklineGeometry,
  sparklineSeries,
  visibleGroups
} from '../tagbrowser/data';
import { IIndexResponse } from '../tokens';

/**
 * A folder of three runs, shaped like the examples (a grid of ridge runs):
 * `b` was written first, then `c`, then `a`, so modification order differs
 * from path order on purpose.
 */
function folder(): IIndexResponse {
  return {
    path: 'runs',
    truncated: false,
    notebooks: [
      {
        path: 'runs/a.ipynb',
        last_modified: '2026-11-26T07:00:03Z',
        status: 'ok',
        names: [
          { name: 'mse', origin: 'tag', kind: 'scalar', value: 0.3 },
          { name: 'metrics', origin: 'tag', kind: 'mapping' },
          { name: 'r2', origin: 'scrap', kind: 'scalar', value: 0.9 },
          { name: 'mse', origin: 'scrap', kind: 'scalar', value: 0.31 }
        ]
      },
      {
        path: 'runs/b.ipynb',
        last_modified: '2026-11-26T07:00:01Z',
        status: 'ok',
        names: [
          { name: 'mse', origin: 'tag', kind: 'scalar', value: 0.5 },
          { name: 'metrics', origin: 'tag', kind: 'mapping' },
          { name: 'Summary', origin: 'tag', kind: 'text' }
        ]
      },
      {
        path: 'runs/c.ipynb',
        last_modified: '2026-11-26T07:00:02Z',
        status: 'failed',
        names: [
          { name: 'mse', origin: 'tag', kind: 'scalar', value: 'NaN' },
          { name: 'r2', origin: 'scrap', kind: 'scalar', value: true }
        ]
      }
    ],
    names: [
      {
        name: 'mse',
        origin: 'tag',
        kind: 'scalar',
        count: 3,
        min: 0.3,
        max: 0.5
      },
      { name: 'metrics', origin: 'tag', kind: 'mapping', count: 2 },
      { name: 'Summary', origin: 'tag', kind: 'text', count: 1 },
      {
        name: 'r2',
        origin: 'scrap',
        kind: 'scalar',
        count: 2,
        min: 0.9,
        max: 0.9
      },
      {
        name: 'mse',
        origin: 'scrap',
        kind: 'scalar',
        count: 1,
        min: 0.31,
        max: 0.31
      }
    ]
  };
}

describe('buildEntries: one row per (origin, name)', () => {
  it('keeps a tag and a scrap of the same name apart', () => {
    // Given a folder where "mse" is both a tag and a scrap
    const entries = buildEntries(folder());

    // Then they are two entries with their own notebooks
    const tag = entries.find(e => e.key === nameKey('tag', 'mse'))!;
    const scrap = entries.find(e => e.key === nameKey('scrap', 'mse'))!;
    expect(tag.notebooks.map(n => n.path)).toEqual([
      'runs/a.ipynb',
      'runs/b.ipynb',
      'runs/c.ipynb'
    ]);
    expect(scrap.notebooks.map(n => n.path)).toEqual(['runs/a.ipynb']);
  });

  it('carries count, range and each notebook value from the index', () => {
    const tag = buildEntries(folder()).find(e => e.key === 'tag:mse')!;
    expect(tag.count).toBe(3);
    expect([tag.min, tag.max]).toEqual([0.3, 0.5]);
    expect(tag.notebooks.map(n => n.value)).toEqual([0.3, 0.5, 'NaN']);
    expect(tag.notebooks[2].status).toBe('failed');
  });

  it('has no range for names without numbers', () => {
    const metrics = buildEntries(folder()).find(e => e.key === 'tag:metrics')!;
    expect(metrics.min).toBeNull();
    expect(metrics.max).toBeNull();
    expect(metrics.series).toEqual([]);
  });

  it('still lists a name a notebook carries but the summary misses', () => {
    const index = folder();
    index.names = index.names.filter(n => n.name !== 'Summary');
    const summary = buildEntries(index).find(e => e.name === 'Summary')!;
    expect(summary.count).toBe(1);
    expect(summary.notebooks.map(n => n.path)).toEqual(['runs/b.ipynb']);
  });
});

describe('grouping and filtering', () => {
  it('groups tags before scraps, each sorted by name, ignoring case', () => {
    // Given the folder's names in the server's order
    const groups = groupEntries(buildEntries(folder()));

    // Then tags come first, sorted case-insensitively, then scraps
    expect(groups.map(g => g.origin)).toEqual(['tag', 'scrap']);
    expect(groups[0].entries.map(e => e.name)).toEqual([
      'metrics',
      'mse',
      'Summary'
    ]);
    expect(groups[1].entries.map(e => e.name)).toEqual(['mse', 'r2']);
  });

  it('sorts numbered names naturally', () => {
    const index = folder();
    index.names = ['run10', 'run2', 'run1'].map(name => ({
      name,
      origin: 'tag' as const,
      kind: 'text' as const,
      count: 1
    }));
    index.notebooks = [];
    const [group] = groupEntries(buildEntries(index));
    expect(group.entries.map(e => e.name)).toEqual(['run1', 'run2', 'run10']);
  });

  it.each([
    [
      'an empty search shows everything',
      '',
      ['tag:metrics', 'tag:mse', 'tag:Summary', 'scrap:mse', 'scrap:r2']
    ],
    ['a substring, any case', 'SUM', ['tag:Summary']],
    ['a substring in both origins', 'ms', ['tag:mse', 'scrap:mse']],
    [
      'every word must match',
      'm s',
      ['tag:metrics', 'tag:mse', 'tag:Summary', 'scrap:mse']
    ],
    ['a word no name has', 'mse zzz', []],
    ['surrounding spaces are ignored', '  r2 ', ['scrap:r2']]
  ])('%s', (_label, query, keys) => {
    const groups = visibleGroups(buildEntries(folder()), query);
    expect(groups.flatMap(g => g.entries.map(e => e.key))).toEqual(keys);
  });

  it('drops a group left empty by the search', () => {
    const groups = visibleGroups(buildEntries(folder()), 'metr');
    expect(groups.map(g => g.origin)).toEqual(['tag']);
  });
});

describe('sparkline data', () => {
  const nb = (
    path: string,
    lastModified: string | null,
    value: INotebookValue['value']
  ): INotebookValue => ({
    path,
    lastModified,
    status: 'ok',
    kind: 'scalar',
    value
  });

  it('orders values by modification time, not by path', () => {
    // Given b written first, then c, then a (see the fixture)
    const mse = buildEntries(folder()).find(e => e.key === 'tag:mse')!;

    // Then the series runs b, c, a; c's NaN is a gap, not a zero
    expect(mse.series).toEqual([
      { path: 'runs/b.ipynb', value: 0.5 },
      { path: 'runs/c.ipynb', value: null },
      { path: 'runs/a.ipynb', value: 0.3 }
    ]);
  });

  it('leaves booleans and non-scalars out', () => {
    const r2 = buildEntries(folder()).find(e => e.key === 'scrap:r2')!;
    expect(r2.series).toEqual([{ path: 'runs/a.ipynb', value: 0.9 }]);
  });

  it('breaks time ties by path and puts unknown times first', () => {
    const t = '2026-01-01T00:00:00Z';
    const series = sparklineSeries([
      nb('z.ipynb', t, 3),
      nb('a.ipynb', t, 2),
      nb('m.ipynb', null, 1),
      nb('e.ipynb', '2025-01-01T00:00:00Z', 'Infinity')
    ]);
    expect(series.map(p => p.path)).toEqual([
      'm.ipynb',
      'e.ipynb',
      'a.ipynb',
      'z.ipynb'
    ]);
    expect(series.map(p => p.value)).toEqual([1, null, 2, 3]);
  });

  it('scales the lowest value to the bottom and the highest to the top', () => {
    // Given three values in a 50 x 12 box with 1 unit of padding
    const g = sparklineGeometry([1, 3, 2], 50, 12, 1);

    // Then x spreads evenly from 1 to 49, y maps 3 -> 1 (top) and 1 -> 11
    expect(g.segments).toEqual([
      [
        [1, 11],
        [25, 1],
        [49, 6]
      ]
    ]);
    expect(g.last).toEqual([49, 6]);
  });

  it('splits the line at gaps and draws flat series in the middle', () => {
    const g = sparklineGeometry([2, null, 2, 2], 40, 10, 0);
    expect(g.segments.length).toBe(2);
    expect(g.segments[0]).toEqual([[0, 5]]);
    expect(g.segments[1].every(([, y]) => y === 5)).toBe(true);
  });

  it('has nothing to draw without a finite value', () => {
    expect(sparklineGeometry([null, null], 40, 10)).toEqual({
      segments: [],
      bands: [],
      last: null
    });
  });

  it('draws a long series as bucket means inside a min/max band', () => {
    // Given 10 000 values of 5 with one spike (100) and one dip (-100)
    const values: (number | null)[] = Array.from({ length: 10000 }, () => 5);
    values[1234] = 100;
    values[8765] = -100;

    // When drawn 48 wide and 12 high with no padding, reduced to 24 points
    const g = sparklineGeometry(values, 48, 12, 0, 24);

    // Then the line has 24 points and stays off the edges (means are near 5)
    expect(g.segments.length).toBe(1);
    expect(g.segments[0].length).toBe(24);
    const lineY = g.segments[0].map(([, y]) => y);
    expect(Math.min(...lineY)).toBeGreaterThan(0);
    expect(Math.max(...lineY)).toBeLessThan(12);
    // and the band reaches the top (the spike) and the bottom (the dip)
    expect(g.bands.length).toBe(1);
    const bandY = g.bands[0].map(([, y]) => y);
    expect(Math.min(...bandY)).toBe(0);
    expect(Math.max(...bandY)).toBe(12);
  });

  it('draws no band when every value gets its own point', () => {
    expect(sparklineGeometry([1, 2, 3], 48, 12).bands).toEqual([]);
  });

  it('summarises slices in order, with gaps for empty slices', () => {
    // Given 6 values cut into 3 slices of two
    const buckets = bucketize([1, 3, null, null, -2, 4], 3);

    // Then each slice has its min, max and mean; the empty one is a gap
    expect(buckets).toEqual([
      { min: 1, max: 3, mean: 2 },
      null,
      { min: -2, max: 4, mean: 1 }
    ]);
  });
});

describe('compareSelection: what "Compare" asks for', () => {
  const entries = buildEntries(folder());

  it('uses the ticked notebooks and names, in path order', () => {
    // Given two names and two notebooks ticked (in a different order)
    const selection = compareSelection(
      entries,
      new Set(['tag:mse', 'tag:metrics']),
      new Set(['runs/c.ipynb', 'runs/a.ipynb']),
      null
    );

    // Then the request names those, in path order, and no baseline
    expect(selection).toEqual({
      paths: ['runs/a.ipynb', 'runs/c.ipynb'],
      names: ['mse', 'metrics'],
      baseline: null
    });
  });

  it('falls back to every notebook carrying a ticked name', () => {
    const selection = compareSelection(
      entries,
      new Set(['tag:Summary', 'scrap:r2']),
      new Set(),
      null
    );
    expect(selection.paths).toEqual([
      'runs/a.ipynb',
      'runs/b.ipynb',
      'runs/c.ipynb'
    ]);
    expect(selection.names).toEqual(['Summary', 'r2']);
  });

  it('sends a name once when its tag and its scrap are both ticked', () => {
    const selection = compareSelection(
      entries,
      new Set(['tag:mse', 'scrap:mse']),
      new Set(),
      null
    );
    expect(selection.names).toEqual(['mse']);
  });

  it('compares all names when only notebooks are ticked', () => {
    const selection = compareSelection(
      entries,
      new Set(),
      new Set(['runs/b.ipynb', 'runs/a.ipynb']),
      null
    );
    expect(selection.names).toEqual([]);
    expect(selection.paths).toEqual(['runs/a.ipynb', 'runs/b.ipynb']);
  });

  it.each([
    ['the pinned notebook is among them', 'runs/c.ipynb', 'runs/c.ipynb'],
    ['the pinned notebook is elsewhere', 'other/x.ipynb', null],
    ['nothing is pinned', null, null]
  ])('baseline when %s', (_label, pinned, baseline) => {
    const selection = compareSelection(
      entries,
      new Set(),
      new Set(['runs/a.ipynb', 'runs/c.ipynb']),
      pinned
    );
    expect(selection.baseline).toBe(baseline);
  });
});

describe('formatting', () => {
  it.each([
    [0.218936287, '0.2189'],
    [10.84, '10.84'],
    [1234.5678, '1235'],
    [0, '0'],
    [-2.5, '-2.5'],
    [12345678, '1.23e+7'],
    [0.00001234, '1.23e-5'],
    [NaN, 'NaN'],
    [Infinity, '∞']
  ])('%p is shown as %p', (value, text) => {
    expect(formatNumber(value)).toBe(text);
  });

  it.each([
    [true, 'True'],
    [false, 'False'],
    ['NaN', 'NaN'],
    ['-Infinity', '−∞'],
    [undefined, '']
  ])('value %p is shown as %p', (value, text) => {
    expect(formatValue(value as any)).toBe(text);
  });
});
