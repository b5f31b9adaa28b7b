import {
  alignTable,
  bestPaths,
  chooseBaseline,
  metricRows,
  parameterRows,
  valueRowDiffers,
  valuesDiffer
} from '../delta';
import { ITableCell } from '../tokens';
import { A, B, C, response } from './fixtures';

describe('metricRows: every scalar and every mapping key is a row', () => {
  it('flattens mappings into name.key rows, keys in order of appearance', () => {
    // Given the answer for three runs
    const data = response();
    // When the metrics table is built
    const rows = metricRows(data.values, [A, B, C]);
    // Then scalars and each mapping key are rows, other kinds are not
    expect(rows.map(r => r.label)).toEqual([
      'mse',
      'metrics.mse',
      'metrics.r2',
      'seed_used'
    ]);
    // and a key that one notebook lacks is null there, not zero
    const mappingMse = rows[1];
    expect(mappingMse.cells[C]).toBeNull();
    expect(mappingMse.cells[B]!.value).toBe(0.25);
  });

  it('counts a missing key as a difference, and equal keys as equal', () => {
    const rows = metricRows(response().values, [A, B, C]);
    const byLabel = Object.fromEntries(rows.map(r => [r.label, r]));
    // metrics.r2 is 0.9 everywhere
    expect(byLabel['metrics.r2'].differs).toBe(false);
    // metrics.mse is missing in C
    expect(byLabel['metrics.mse'].differs).toBe(true);
    // mse is missing in C even though A and B would be compared
    expect(byLabel['mse'].differs).toBe(true);
    expect(byLabel['seed_used'].differs).toBe(false);
  });

  it("takes each mapping key's direction from the server", () => {
    const rows = metricRows(response().values, [A, B, C]);
    // The server says metrics.mse is lower-is-better, metrics.r2 higher
    expect(rows[1].direction).toBe('lower');
    expect(rows[2].direction).toBe('higher');
    // and a scalar row keeps the row's own direction (none for seed_used)
    expect(rows[0].direction).toBe('lower');
    expect(rows[3].direction).toBeNull();
  });

  it('leaves a key without a server direction undecided', () => {
    const data = response();
    const metrics = data.values[1];
    for (const cell of Object.values(metrics.cells)) {
      if (cell && cell.kind === 'mapping') {
        for (const item of Object.values(cell.items)) {
          delete item.direction;
        }
      }
    }
    expect(metricRows(data.values, [A, B, C])[1].direction).toBeNull();
  });
});

describe('valuesDiffer: the only-differences rule', () => {
  it.each([
    ['all equal', [1, 1, 1], false, false],
    ['one differs', [1, 2, 1], false, true],
    ['one missing, the rest equal', [1, 1], true, true],
    ['NaN equals NaN', [NaN, 'NaN'], false, false],
    ['1 is not "1"', [1, '1'], false, true],
    [
      'mappings by content',
      [
        { a: 1, b: 2 },
        { b: 2, a: 1 }
      ],
      false,
      false
    ]
  ])('%s', (_name, values, missing, expected) => {
    expect(valuesDiffer(values, missing)).toBe(expected);
  });

  it('keeps a value row missing in one notebook even when the server says equal', () => {
    // Given a row whose present cells are equal but one notebook lacks it
    const row = { ...response().values[4], differs: false };
    // Then it still counts as a difference
    expect(valueRowDiffers(row, [A, B, C])).toBe(true);
    expect(valueRowDiffers(response().values[3], [A, B, C])).toBe(false);
  });
});

describe('bestPaths', () => {
  const rows = () => metricRows(response().values, [A, B, C]);

  it('marks the smallest value of a lower-is-better row', () => {
    expect(bestPaths(rows()[0], [A, B, C])).toEqual(new Set([A]));
  });

  it('marks nothing when every value is the same', () => {
    expect(bestPaths(rows()[2], [A, B, C]).size).toBe(0);
  });

  it('marks nothing without a direction, and NaN never wins', () => {
    const row = { ...rows()[0], direction: null };
    expect(bestPaths(row, [A, B, C]).size).toBe(0);
    const nan = rows()[0];
    nan.cells[A] = { value: 'NaN', delta: null, rel_delta: null, better: null };
    nan.cells[C] = { value: 0.3, delta: null, rel_delta: null, better: null };
    expect(bestPaths(nan, [A, B, C])).toEqual(new Set([B]));
  });
});

describe('parameterRows', () => {
  it('lists the union of parameters and flags the differing ones', () => {
    const data = response();
    delete (data.notebooks[2].parameters as any).model;
    const rows = parameterRows(data.notebooks);
    expect(rows.map(r => [r.name, r.differs])).toEqual([
      ['alpha', true],
      // model is "ridge" in A and B but missing in C: a difference
      ['model', true]
    ]);
    expect(rows[0].cells[A]).toEqual({ value: 0.1, injected: true });
  });

  it('does not flag parameters that are the same everywhere', () => {
    const data = response();
    const rows = parameterRows(data.notebooks);
    expect(rows[1]).toMatchObject({ name: 'model', differs: false });
  });
});

describe('alignTable', () => {
  const base: ITableCell = {
    kind: 'table',
    columns: ['coef', 'true'],
    index: ['age', 'bmi', 'bp'],
    rows: [
      [1.0, 1.0],
      [2.0, 2.0],
      [3.0, 3.0]
    ],
    changed: null,
    added_rows: null,
    removed_rows: null,
    added_columns: null,
    removed_columns: null
  };

  it('lines cells up by label, not position, with the baseline value and delta', () => {
    // Given a table whose rows are reordered, one changed, one added, one removed
    const cell: ITableCell = {
      kind: 'table',
      columns: ['true', 'coef', 'err'],
      index: ['bmi', 'age', 's1'],
      rows: [
        [2.0, 2.5, 0.1],
        [1.0, 1.0, 0.2],
        [9.0, 9.0, 0.3]
      ],
      changed: [['bmi', 'coef']],
      added_rows: ['s1'],
      removed_rows: ['bp'],
      added_columns: ['err'],
      removed_columns: [],
      // as the server pairs them: bmi->1, age->0, s1 added; true->1, coef->0
      row_pairs: [1, 0, null],
      column_pairs: [1, 0, null],
      changed_at: [[0, 1]]
    };
    // When aligned against the baseline
    const aligned = alignTable(cell, base);
    // Then bmi/coef is changed, with the baseline's 2.0 and a delta of 0.5
    expect(aligned.cells[0][1]).toEqual({
      changed: true,
      base: 2.0,
      delta: 0.5
    });
    // age/coef is equal and not changed, though it moved
    expect(aligned.cells[1][1]).toEqual({
      changed: false,
      base: 1.0,
      delta: 0
    });
    // the added row and column are marked, the removed row listed
    expect(aligned.addedRows).toEqual(new Set([2]));
    expect(aligned.addedColumns).toEqual(new Set([2]));
    expect(aligned.removedRows).toEqual(['bp']);
  });

  it('pairs repeated labels by occurrence', () => {
    const repeated: ITableCell = {
      ...base,
      index: ['x', 'x'],
      rows: [
        [1, 1],
        [2, 2]
      ]
    };
    const cell: ITableCell = {
      ...repeated,
      rows: [
        [1, 1],
        [5, 2]
      ],
      changed: [['x', 'coef']],
      row_pairs: [0, 1],
      column_pairs: [0, 1],
      changed_at: [[1, 0]]
    };
    const aligned = alignTable(cell, repeated);
    expect(aligned.cells[1][0].base).toBe(2);
    expect(aligned.cells[1][0].delta).toBe(3);
  });

  it('marks only the occurrence of a repeated label that changed or was added', () => {
    // Given a baseline with row x twice, and a table where the second x
    // changed and a third x was added; the server can only name labels:
    // changed [["x", "coef"]] and added_rows ["x"]; its positions tell them apart
    const repeated: ITableCell = {
      kind: 'table',
      columns: ['coef'],
      index: ['x', 'x', 'y'],
      rows: [[1], [2], [3]],
      changed: null,
      added_rows: null,
      removed_rows: null,
      added_columns: null,
      removed_columns: null
    };
    const cell: ITableCell = {
      ...repeated,
      index: ['y', 'x', 'x', 'x'],
      rows: [[3], [1], [5], [7]],
      changed: [['x', 'coef']],
      added_rows: ['x'],
      removed_rows: [],
      added_columns: [],
      removed_columns: [],
      // the server pairs y with y, the first two x with the baseline's x's
      row_pairs: [2, 0, 1, null],
      column_pairs: [0],
      changed_at: [[2, 0]]
    };
    // When aligned
    const aligned = alignTable(cell, repeated);
    // Then the first x (same value) is neither changed nor added, the second
    // x is changed against 2, and only the third x is added
    expect(aligned.cells.map(row => row[0].changed)).toEqual([
      false,
      false,
      true,
      false
    ]);
    expect(aligned.cells[2][0].base).toBe(2);
    expect([...aligned.addedRows]).toEqual([3]);
  });

  it('changes nothing without a baseline table', () => {
    const aligned = alignTable(base, null);
    expect(aligned.cells.flat().some(c => c.changed)).toBe(false);
    expect(aligned.addedRows.size).toBe(0);
  });
});

describe('chooseBaseline', () => {
  it.each([
    ['explicit wins', B, C, B],
    ['pinned when compared', null, C, C],
    ['first column when the pin is elsewhere', null, 'other.ipynb', A],
    ['first column when nothing is set', undefined, null, A],
    ['an unknown explicit baseline is ignored', 'x.ipynb', null, A]
  ])('%s', (_name, requested, pinned, expected) => {
    expect(chooseBaseline([A, B, C], requested, pinned)).toBe(expected);
  });

  it.each([
    ['the first readable column by default', null, null, B],
    ['an explicit unreadable baseline still wins', A, null, A],
    ['an unreadable pin still wins', null, A, A]
  ])(
    'with the first column unreadable: %s',
    (_n, requested, pinned, expected) => {
      expect(chooseBaseline([A, B, C], requested, pinned, new Set([A]))).toBe(
        expected
      );
    }
  );

  it('falls back to the first column when none is readable', () => {
    expect(chooseBaseline([A, B], null, null, new Set([A, B]))).toBe(A);
  });
});
