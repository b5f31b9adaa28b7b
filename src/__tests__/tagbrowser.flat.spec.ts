import { buildEntries, visibleGroups } from '../tagbrowser/data';
import {
  flattenRows,
  ROW_HEIGHT,
  rowHeight,
  TagBrowserRow,
  treeAction
} from '../tagbrowser/flat';
import { IIndexResponse } from '../tokens';

/** Two runs: tags mse (both), notes (a only, text), and a scrap r2 (both). */
function folder(): IIndexResponse {
  return {
    path: 'runs',
    truncated: false,
    notebooks: ['a', 'b'].map((name, i) => ({
      path: `runs/${name}.ipynb`,
      last_modified: `2026-11-26T07:00:0${i}Z`,
      status: 'ok' as const,
      names: [
        {
          name: 'mse',
          origin: 'tag' as const,
          kind: 'scalar' as const,
          value: i
        },
        ...(i === 0
          ? [{ name: 'notes', origin: 'tag' as const, kind: 'text' as const }]
          : []),
        {
          name: 'r2',
          origin: 'scrap' as const,
          kind: 'scalar' as const,
          value: 1
        }
      ]
    })),
    names: [
      { name: 'mse', origin: 'tag', kind: 'scalar', count: 2, min: 0, max: 1 },
      { name: 'notes', origin: 'tag', kind: 'text', count: 1 },
      { name: 'r2', origin: 'scrap', kind: 'scalar', count: 2, min: 1, max: 1 }
    ]
  };
}

const entries = buildEntries(folder());
/** A row as `type key level posinset/setsize ^parent`, to read at a glance. */
const describe_ = (rows: TagBrowserRow[]) =>
  rows.map(
    r => `${r.type} ${r.key} ${r.level} ${r.posInSet}/${r.setSize} ^${r.parent}`
  );

describe('flattenRows', () => {
  it('lists each group heading then its names, closed', () => {
    const rows = flattenRows(visibleGroups(entries, ''), {
      isExpanded: () => false
    });
    expect(describe_(rows)).toEqual([
      'group group:tag 1 1/2 ^-1',
      'name tag:mse 2 1/2 ^0',
      'name tag:notes 2 2/2 ^0',
      'group group:scrap 1 2/2 ^-1',
      'name scrap:r2 2 1/1 ^3'
    ]);
  });

  it('puts the notebooks of an expanded name right under it', () => {
    const rows = flattenRows(visibleGroups(entries, ''), {
      isExpanded: key => key === 'tag:mse' || key === 'scrap:r2'
    });
    expect(describe_(rows)).toEqual([
      'group group:tag 1 1/2 ^-1',
      'name tag:mse 2 1/2 ^0',
      'notebook nb:tag:mse:runs/a.ipynb 3 1/2 ^1',
      'notebook nb:tag:mse:runs/b.ipynb 3 2/2 ^1',
      'name tag:notes 2 2/2 ^0',
      'group group:scrap 1 2/2 ^-1',
      'name scrap:r2 2 1/1 ^5',
      'notebook nb:scrap:r2:runs/a.ipynb 3 1/2 ^6',
      'notebook nb:scrap:r2:runs/b.ipynb 3 2/2 ^6'
    ]);
    // one notebook under two names is two rows, with distinct keys
    expect(new Set(rows.map(r => r.key)).size).toBe(rows.length);
  });

  it('lists only the names the search keeps, and folds a group', () => {
    const rows = flattenRows(visibleGroups(entries, 'no'), {
      isExpanded: () => true
    });
    expect(describe_(rows)).toEqual([
      'group group:tag 1 1/1 ^-1',
      'name tag:notes 2 1/1 ^0',
      'notebook nb:tag:notes:runs/a.ipynb 3 1/1 ^1'
    ]);
    const folded = flattenRows(visibleGroups(entries, ''), {
      isExpanded: () => true,
      isGroupCollapsed: origin => origin === 'tag'
    });
    expect(describe_(folded).slice(0, 2)).toEqual([
      'group group:tag 1 1/2 ^-1',
      'group group:scrap 1 2/2 ^-1'
    ]);
    expect(folded[0]).toMatchObject({ expanded: false, count: 2 });
  });

  it('gives a name with a range or a trend the taller row', () => {
    const rows = flattenRows(visibleGroups(entries, ''), {
      isExpanded: key => key === 'tag:mse'
    });
    expect(rows.map(rowHeight)).toEqual([
      ROW_HEIGHT.group,
      ROW_HEIGHT.nameWithStats,
      ROW_HEIGHT.notebook,
      ROW_HEIGHT.notebook,
      ROW_HEIGHT.name,
      ROW_HEIGHT.group,
      ROW_HEIGHT.nameWithStats
    ]);
  });

  it('flattens 5,000 names with 3 notebooks each, all open, quickly', () => {
    const many = Array.from({ length: 5000 }, (_, i) => ({
      ...entries[0],
      key: `tag:n${i}`,
      name: `n${i}`,
      notebooks: entries[0].notebooks.concat(entries[0].notebooks[0])
    }));
    const started = performance.now();
    const rows = flattenRows([{ origin: 'tag', entries: many }], {
      isExpanded: () => true
    });
    const took = performance.now() - started;
    expect(rows.length).toBe(1 + 5000 * 4);
    expect(rows[rows.length - 1]).toMatchObject({
      level: 3,
      posInSet: 3,
      setSize: 3,
      parent: rows.length - 4
    });
    expect(took).toBeLessThan(500);
  });
});

describe('treeAction', () => {
  const rows = flattenRows(visibleGroups(entries, ''), {
    isExpanded: key => key === 'tag:mse'
  });
  // 0 group:tag, 1 tag:mse (open), 2-3 its notebooks, 4 tag:notes,
  // 5 group:scrap, 6 scrap:r2 (closed)

  it.each([
    ['ArrowDown', 0, 1],
    ['ArrowDown', 6, 6],
    ['ArrowUp', 2, 1],
    ['ArrowUp', 0, 0],
    ['Home', 4, 0],
    ['End', 1, 6],
    ['PageDown', 0, 3],
    ['PageUp', 5, 2],
    ['ArrowRight', 1, 2],
    ['ArrowRight', 2, 2],
    ['ArrowLeft', 3, 1],
    ['ArrowLeft', 4, 0],
    ['ArrowLeft', 6, 5]
  ])('%s from row %i moves to row %i', (key, from, to) => {
    expect(treeAction(rows, from, key, 3)).toEqual({ type: 'move', index: to });
  });

  it('opens a closed row on Right and folds an open one on Left', () => {
    expect(treeAction(rows, 6, 'ArrowRight')).toEqual({
      type: 'expand',
      index: 6,
      expanded: true
    });
    expect(treeAction(rows, 1, 'ArrowLeft')).toEqual({
      type: 'expand',
      index: 1,
      expanded: false
    });
    expect(treeAction(rows, 0, 'ArrowLeft')).toEqual({
      type: 'expand',
      index: 0,
      expanded: false
    });
  });

  it('leaves other keys, and an empty list, alone', () => {
    expect(treeAction(rows, 1, 'Enter')).toBeNull();
    expect(treeAction(rows, 1, 'a')).toBeNull();
    expect(treeAction([], 0, 'ArrowDown')).toBeNull();
  });
});
