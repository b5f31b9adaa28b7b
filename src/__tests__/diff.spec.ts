import { diffStats, lineDiff, MAX_LCS_CELLS, splitLines } from '../diff';

describe('lineDiff: text against the baseline', () => {
  it('marks a changed line as removed then added, keeping common lines', () => {
    // Given two summaries that differ in their first line
    const before = 'Model ridge with alpha=0.1\nLargest coefficient: s2.\n';
    const after = 'Model ridge with alpha=1.0\nLargest coefficient: s2.\n';
    // When diffed
    const lines = lineDiff(before, after);
    // Then the user sees the old line removed, the new one added, the rest same
    expect(lines).toEqual([
      { type: 'removed', text: 'Model ridge with alpha=0.1' },
      { type: 'added', text: 'Model ridge with alpha=1.0' },
      { type: 'same', text: 'Largest coefficient: s2.' }
    ]);
  });

  it.each([
    ['identical', 'a\nb', 'a\nb', 0, 0],
    ['empty baseline', '', 'a\nb', 2, 0],
    ['everything removed', 'a\nb', '', 0, 2],
    ['insertion in the middle', 'a\nc', 'a\nb\nc', 1, 0],
    ['moved line', 'a\nb\nc', 'b\nc\na', 1, 1]
  ])('%s', (_name, before, after, added, removed) => {
    const lines = lineDiff(before, after);
    expect(diffStats(lines)).toEqual({ added, removed });
    // Reading the diff back gives both texts
    expect(lines.filter(l => l.type !== 'added').map(l => l.text)).toEqual(
      splitLines(before)
    );
    expect(lines.filter(l => l.type !== 'removed').map(l => l.text)).toEqual(
      splitLines(after)
    );
  });

  it('stays linear past its budget instead of hanging', () => {
    // Given two long texts with nothing in common
    const n = Math.ceil(Math.sqrt(MAX_LCS_CELLS)) + 10;
    const before = Array.from({ length: n }, (_, i) => `a${i}`).join('\n');
    const after = Array.from({ length: n }, (_, i) => `b${i}`).join('\n');
    // When diffed, Then every line is still accounted for
    expect(diffStats(lineDiff(before, after))).toEqual({
      added: n,
      removed: n
    });
  });
});
