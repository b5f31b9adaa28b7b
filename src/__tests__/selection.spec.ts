import {
  isCompareEnabled,
  isCompareVisible,
  selectedNotebooks
} from '../selection';

const nb = (path: string) => ({ path, type: 'notebook' });
const file = (path: string) => ({ path, type: 'file' });
const dir = (path: string) => ({ path, type: 'directory' });

describe('Compare notebooks: selection rules', () => {
  it.each([
    ['nothing selected', [], false, false],
    ['one notebook', [nb('a.ipynb')], true, false],
    ['two notebooks', [nb('a.ipynb'), nb('b.ipynb')], true, true],
    [
      'several notebooks',
      [nb('runs/a.ipynb'), nb('runs/b.ipynb'), nb('runs/c.ipynb')],
      true,
      true
    ],
    ['only non-notebook files', [file('a.csv'), dir('runs')], false, false],
    [
      'one notebook among other files',
      [file('a.csv'), nb('a.ipynb'), dir('runs')],
      true,
      false
    ],
    [
      'two notebooks among other files',
      [nb('a.ipynb'), file('notes.txt'), nb('b.ipynb')],
      true,
      true
    ]
  ])('%s', (_label, items, visible, enabled) => {
    expect(isCompareVisible(items)).toBe(visible);
    expect(isCompareEnabled(items)).toBe(enabled);
  });

  it('keeps notebook order and drops other files', () => {
    expect(
      selectedNotebooks([nb('z.ipynb'), file('x.py'), nb('a.ipynb')])
    ).toEqual(['z.ipynb', 'a.ipynb']);
  });

  it('recognises a notebook opened as a plain file by its extension', () => {
    expect(selectedNotebooks([file('runs/r1.ipynb')])).toEqual([
      'runs/r1.ipynb'
    ]);
  });
});
