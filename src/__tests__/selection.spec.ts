import { Signal } from '@lumino/signaling';

import {
  isCompareEnabled,
  isCompareVisible,
  selectedNotebooks,
  tickOrder,
  TickTracker
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

describe('the order of ticking', () => {
  it.each([
    ['first ticks', [], ['a', 'b'], ['a', 'b']],
    ['b ticked before a', ['b'], ['a', 'b'], ['b', 'a']],
    ['one unticked', ['c', 'a', 'b'], ['a', 'b'], ['a', 'b']],
    ['re-ticked goes last', ['b'], ['a', 'b', 'c'], ['b', 'a', 'c']],
    ['cleared', ['b', 'a'], [], []]
  ])('%s', (_, previous, current, expected) => {
    expect(tickOrder(previous, current)).toEqual(expected);
  });

  /** A file browser whose selectedItems() lists in name order, as the real one sorts. */
  class FakeBrowser {
    selectionChanged = new Signal<this, void>(this);
    selected = new Set<string>();
    *selectedItems() {
      for (const path of Array.from(this.selected).sort()) {
        yield nb(path);
      }
    }
    tick(path: string) {
      this.selected.add(path);
      this.selectionChanged.emit();
    }
    untick(path: string) {
      this.selected.delete(path);
      this.selectionChanged.emit();
    }
  }

  it('gives the notebooks first ticked first, whatever the sort order', () => {
    // Given a browser sorted by name, where z is ticked before a and m
    const browser = new FakeBrowser();
    const tracker = new TickTracker(browser);
    browser.tick('runs/z.ipynb');
    browser.tick('runs/a.ipynb');
    browser.tick('runs/m.ipynb');
    // Then the selection starts with z: it is the comparison's first column
    expect(selectedNotebooks(tracker.items())).toEqual([
      'runs/z.ipynb',
      'runs/a.ipynb',
      'runs/m.ipynb'
    ]);
    // When z is unticked and ticked again, Then it comes last
    browser.untick('runs/z.ipynb');
    browser.tick('runs/z.ipynb');
    expect(selectedNotebooks(tracker.items())).toEqual([
      'runs/a.ipynb',
      'runs/m.ipynb',
      'runs/z.ipynb'
    ]);
    // When disposed, Then it stops listening
    tracker.dispose();
    expect(tracker.isDisposed).toBe(true);
  });
});
