/**
 * A small line diff (longest common subsequence) for text values.
 *
 * Text outputs of experiments are short (a summary, a log tail), so a plain
 * LCS is enough and avoids a dependency; past a size budget the middle part is
 * shown as removed + added instead of spending seconds on it.
 */

/** One line of a diff. */
export interface IDiffLine {
  type: 'same' | 'added' | 'removed';
  text: string;
}

/** Cells of the LCS table above which the diff gives up on alignment. */
export const MAX_LCS_CELLS = 4_000_000;

/** Split text into lines; a final newline does not make an empty line. */
export function splitLines(text: string): string[] {
  if (text.length === 0) {
    return [];
  }
  const lines = text.split(/\r\n|\r|\n/);
  if (lines[lines.length - 1] === '') {
    lines.pop();
  }
  return lines;
}

/**
 * The line diff from `before` (the baseline) to `after`: unchanged lines are
 * `same`, lines only in `after` are `added`, lines only in `before` are
 * `removed`, removals listed before additions at each change.
 */
export function lineDiff(before: string, after: string): IDiffLine[] {
  const a = splitLines(before);
  const b = splitLines(after);
  // Common prefix and suffix cost nothing and shrink the LCS table.
  let start = 0;
  while (start < a.length && start < b.length && a[start] === b[start]) {
    start++;
  }
  let endA = a.length;
  let endB = b.length;
  while (endA > start && endB > start && a[endA - 1] === b[endB - 1]) {
    endA--;
    endB--;
  }
  const head: IDiffLine[] = a
    .slice(0, start)
    .map(text => ({ type: 'same', text }));
  const tail: IDiffLine[] = a.slice(endA).map(text => ({ type: 'same', text }));
  const midA = a.slice(start, endA);
  const midB = b.slice(start, endB);
  return [...head, ...middle(midA, midB), ...tail];
}

function middle(a: string[], b: string[]): IDiffLine[] {
  const n = a.length;
  const m = b.length;
  if (n === 0 || m === 0 || (n + 1) * (m + 1) > MAX_LCS_CELLS) {
    return [
      ...a.map(text => ({ type: 'removed' as const, text })),
      ...b.map(text => ({ type: 'added' as const, text }))
    ];
  }
  // lcs[i][j]: length of the LCS of a[i:] and b[j:], in one flat array.
  const width = m + 1;
  const lcs = new Uint32Array((n + 1) * width);
  for (let i = n - 1; i >= 0; i--) {
    for (let j = m - 1; j >= 0; j--) {
      lcs[i * width + j] =
        a[i] === b[j]
          ? lcs[(i + 1) * width + j + 1] + 1
          : Math.max(lcs[(i + 1) * width + j], lcs[i * width + j + 1]);
    }
  }
  const out: IDiffLine[] = [];
  let i = 0;
  let j = 0;
  while (i < n && j < m) {
    if (a[i] === b[j]) {
      out.push({ type: 'same', text: a[i] });
      i++;
      j++;
    } else if (lcs[(i + 1) * width + j] >= lcs[i * width + j + 1]) {
      out.push({ type: 'removed', text: a[i++] });
    } else {
      out.push({ type: 'added', text: b[j++] });
    }
  }
  while (i < n) {
    out.push({ type: 'removed', text: a[i++] });
  }
  while (j < m) {
    out.push({ type: 'added', text: b[j++] });
  }
  return out;
}

/** How many lines a diff adds and removes, for a one-line summary. */
export function diffStats(lines: IDiffLine[]): {
  added: number;
  removed: number;
} {
  let added = 0;
  let removed = 0;
  for (const line of lines) {
    if (line.type === 'added') {
      added++;
    } else if (line.type === 'removed') {
      removed++;
    }
  }
  return { added, removed };
}
