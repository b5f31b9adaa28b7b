import { Contents } from '@jupyterlab/services';
import { StateDB } from '@jupyterlab/statedb';
import { Signal } from '@lumino/signaling';

import { BaselinePin, followRename, isRemovedBy, PIN_STATE_KEY } from '../pin';
import { markPinnedInFileBrowser, PINNED_ATTRIBUTE } from '../plugins/pin';

/** A stand-in for `app.serviceManager.contents`: only its fileChanged signal. */
class FakeContents {
  readonly fileChanged = new Signal<this, Contents.IChangedArgs>(this);

  rename(oldPath: string, newPath: string): void {
    this.fileChanged.emit({
      type: 'rename',
      oldValue: { path: oldPath },
      newValue: { path: newPath }
    });
  }

  delete(path: string): void {
    this.fileChanged.emit({
      type: 'delete',
      oldValue: { path },
      newValue: null
    });
  }
}

describe('BaselinePin', () => {
  let state: StateDB;
  let contents: FakeContents;

  beforeEach(() => {
    state = new StateDB();
    contents = new FakeContents();
  });

  it('starts unpinned and is pinned by set, emitting the new path', async () => {
    // Given a fresh store over an empty state database
    const pin = new BaselinePin({ state, contents });
    await pin.restored;
    const seen: (string | null)[] = [];
    pin.changed.connect((_, path) => seen.push(path));
    expect(pin.path).toBeNull();

    // When a notebook is pinned
    pin.set('runs/a.ipynb');

    // Then the path is the pin, it was announced, and it is persisted
    expect(pin.path).toBe('runs/a.ipynb');
    expect(seen).toEqual(['runs/a.ipynb']);
    expect(await state.fetch(PIN_STATE_KEY)).toEqual({ path: 'runs/a.ipynb' });
  });

  it('unpins with null and forgets the stored pin', async () => {
    // Given a pinned notebook
    const pin = new BaselinePin({ state, contents });
    await pin.restored;
    pin.set('runs/a.ipynb');

    // When it is unpinned
    pin.set(null);

    // Then nothing is pinned and nothing is stored
    expect(pin.path).toBeNull();
    expect(await state.fetch(PIN_STATE_KEY)).toBeUndefined();
  });

  it('does not announce a set that changes nothing', async () => {
    const pin = new BaselinePin({ state, contents });
    pin.set('a.ipynb');
    const seen: (string | null)[] = [];
    pin.changed.connect((_, path) => seen.push(path));
    pin.set('a.ipynb');
    expect(seen).toEqual([]);
  });

  it('is restored from the state database (a page reload)', async () => {
    // Given a pin saved by a previous session
    const first = new BaselinePin({ state, contents });
    first.set('runs/ridge_alpha1.ipynb');
    first.dispose();

    // When a new store is created over the same database
    const second = new BaselinePin({ state, contents });
    const seen: (string | null)[] = [];
    second.changed.connect((_, path) => seen.push(path));
    await second.restored;

    // Then it holds the saved pin and announced it
    expect(second.path).toBe('runs/ridge_alpha1.ipynb');
    expect(seen).toEqual(['runs/ridge_alpha1.ipynb']);
  });

  it('lets a set made before the restore finished win', async () => {
    // Given a stored pin
    await state.save(PIN_STATE_KEY, { path: 'old.ipynb' });

    // When the user pins another notebook before the restore completes
    const pin = new BaselinePin({ state, contents });
    pin.set('new.ipynb');
    await pin.restored;

    // Then the user's choice stands
    expect(pin.path).toBe('new.ipynb');
  });

  it.each([
    ['a stored null', null],
    ['a stored non-string', { path: 3 }],
    ['an empty path', { path: '' }]
  ])('ignores %s in the database', async (_label, stored) => {
    await state.save(PIN_STATE_KEY, stored as any);
    const pin = new BaselinePin({ state, contents });
    await pin.restored;
    expect(pin.path).toBeNull();
  });

  it('follows a rename of the pinned notebook and persists the new path', async () => {
    // Given a pinned notebook
    const pin = new BaselinePin({ state, contents });
    await pin.restored;
    pin.set('runs/a.ipynb');

    // When it is renamed in Jupyter
    contents.rename('runs/a.ipynb', 'runs/best.ipynb');

    // Then the pin follows it, in memory and in the database
    expect(pin.path).toBe('runs/best.ipynb');
    expect(await state.fetch(PIN_STATE_KEY)).toEqual({
      path: 'runs/best.ipynb'
    });
  });

  it('follows a rename of the folder that holds the pinned notebook', async () => {
    const pin = new BaselinePin({ state, contents });
    pin.set('runs/grid/a.ipynb');
    contents.rename('runs', 'archive/runs-2026');
    expect(pin.path).toBe('archive/runs-2026/grid/a.ipynb');
  });

  it('ignores renames of other files, even ones sharing a prefix', async () => {
    const pin = new BaselinePin({ state, contents });
    pin.set('runs/a.ipynb');
    contents.rename('runs/a.ipynb.bak', 'x.ipynb');
    contents.rename('run', 'walk');
    contents.rename('runs/b.ipynb', 'runs/a2.ipynb');
    expect(pin.path).toBe('runs/a.ipynb');
  });

  it('clears the pin when the pinned notebook is deleted', async () => {
    // Given a pinned notebook
    const pin = new BaselinePin({ state, contents });
    await pin.restored;
    pin.set('runs/a.ipynb');
    const seen: (string | null)[] = [];
    pin.changed.connect((_, path) => seen.push(path));

    // When it is deleted
    contents.delete('runs/a.ipynb');

    // Then the pin goes away, announced and forgotten by the database
    expect(pin.path).toBeNull();
    expect(seen).toEqual([null]);
    expect(await state.fetch(PIN_STATE_KEY)).toBeUndefined();
  });

  it('clears the pin when its folder is deleted, not when a sibling is', async () => {
    const pin = new BaselinePin({ state, contents });
    pin.set('runs/a.ipynb');
    contents.delete('runs/b.ipynb');
    contents.delete('runsx');
    expect(pin.path).toBe('runs/a.ipynb');
    contents.delete('runs');
    expect(pin.path).toBeNull();
  });

  it('stops following files once disposed', () => {
    const pin = new BaselinePin({ state, contents });
    pin.set('a.ipynb');
    pin.dispose();
    contents.rename('a.ipynb', 'b.ipynb');
    expect(pin.path).toBe('a.ipynb');
    expect(pin.isDisposed).toBe(true);
  });

  it('works without a state database for the session', () => {
    const pin = new BaselinePin({ contents });
    pin.set('a.ipynb');
    contents.rename('a.ipynb', 'b.ipynb');
    expect(pin.path).toBe('b.ipynb');
  });
});

describe('path rules of the pin', () => {
  it.each([
    ['the file itself', 'a.ipynb', 'a.ipynb', 'b.ipynb', 'b.ipynb'],
    ['its folder', 'r/a.ipynb', 'r', 's', 's/a.ipynb'],
    ['a nested folder', 'r/x/a.ipynb', 'r/x', 'y', 'y/a.ipynb'],
    ['an unrelated file', 'r/a.ipynb', 'r/b.ipynb', 'c.ipynb', null],
    ['a name prefix only', 'r/a.ipynb', 'r/a', 'q', null]
  ])('rename of %s', (_label, path, from, to, expected) => {
    expect(followRename(path, from, to)).toBe(expected);
  });

  it.each([
    ['the file', 'r/a.ipynb', 'r/a.ipynb', true],
    ['its folder', 'r/a.ipynb', 'r', true],
    ['a sibling', 'r/a.ipynb', 'r/b.ipynb', false],
    ['a name prefix', 'r/a.ipynb', 'r/a', false],
    ['the root (never deleted as a path)', 'r/a.ipynb', '', false]
  ])('deleting %s', (_label, path, deleted, expected) => {
    expect(isRemovedBy(path, deleted)).toBe(expected);
  });
});

describe('the pinned mark in the file browser', () => {
  /** A stand-in for the default file browser: its folder and its rows. */
  function fakeBrowser(folder: string, names: string[]) {
    const node = document.createElement('div');
    const content = document.createElement('ul');
    content.className = 'jp-DirListing-content';
    node.appendChild(content);
    const setNames = (list: string[]) => {
      content.replaceChildren(
        ...list.map(name => {
          const li = document.createElement('li');
          li.className = 'jp-DirListing-item';
          const text = document.createElement('span');
          text.className = 'jp-DirListing-itemText';
          const inner = document.createElement('span');
          inner.textContent = name;
          text.appendChild(inner);
          li.appendChild(text);
          return li;
        })
      );
    };
    setNames(names);
    const model = {
      path: folder,
      refreshed: new Signal<any, void>({}),
      pathChanged: new Signal<any, any>({})
    };
    return { browser: { node, model } as any, content, model, setNames };
  }

  /** Let the mutation observer and the animation frame run. */
  const frame = () => new Promise(resolve => setTimeout(resolve, 50));

  const marked = (content: HTMLElement) =>
    Array.from(content.querySelectorAll('.jp-NbCompare-pinnedItem')).map(
      li => li.textContent
    );

  it('marks the pinned row and moves the mark with the pin', async () => {
    // Given a folder listing and a pin in it
    const { browser, content } = fakeBrowser('runs', ['a.ipynb', 'b.ipynb']);
    const pin = new BaselinePin();
    pin.set('runs/b.ipynb');

    // When the mark is installed
    const mark = markPinnedInFileBrowser(browser, pin, 'baseline');
    await frame();

    // Then only b is marked, with the badge text on its name
    expect(marked(content)).toEqual(['b.ipynb']);
    const text = content.querySelector(
      '.jp-NbCompare-pinnedItem .jp-DirListing-itemText'
    )!;
    expect(text.getAttribute(PINNED_ATTRIBUTE)).toBe('baseline');

    // When another notebook is pinned, the mark moves; unpinned, it goes
    pin.set('runs/a.ipynb');
    await frame();
    expect(marked(content)).toEqual(['a.ipynb']);
    pin.set(null);
    await frame();
    expect(marked(content)).toEqual([]);
    expect(content.querySelector(`[${PINNED_ATTRIBUTE}]`)).toBeNull();
    mark.dispose();
  });

  it('follows the listing when its rows are redrawn', async () => {
    const { browser, content, setNames } = fakeBrowser('runs', [
      'a.ipynb',
      'b.ipynb'
    ]);
    const pin = new BaselinePin();
    pin.set('runs/b.ipynb');
    markPinnedInFileBrowser(browser, pin, 'baseline');
    await frame();

    // When the listing reuses its rows for a new order
    setNames(['b.ipynb', 'a.ipynb', 'c.ipynb']);
    await frame();

    // Then the mark is on b's new row only
    expect(marked(content)).toEqual(['b.ipynb']);
  });

  it('marks nothing when the pinned notebook is in another folder', async () => {
    const { browser, content } = fakeBrowser('other', ['b.ipynb']);
    const pin = new BaselinePin();
    pin.set('runs/b.ipynb');
    markPinnedInFileBrowser(browser, pin, 'baseline');
    await frame();
    expect(marked(content)).toEqual([]);
  });

  it('marks a pinned notebook at the root', async () => {
    const { browser, content } = fakeBrowser('', ['top.ipynb', 'x.ipynb']);
    const pin = new BaselinePin();
    pin.set('top.ipynb');
    markPinnedInFileBrowser(browser, pin, 'baseline');
    await frame();
    expect(marked(content)).toEqual(['top.ipynb']);
  });
});
