import { Contents } from '@jupyterlab/services';
import { Signal } from '@lumino/signaling';

import { requestAPI } from '../request';
import {
  isInFolder,
  isRelevantChange,
  TagBrowserChange,
  TagBrowserModel
} from '../tagbrowser/model';
import { IBaselinePin, IIndexResponse } from '../tokens';
import { deferred } from './fixtures';

jest.mock('../request', () => ({ requestAPI: jest.fn() }));

const request = requestAPI as jest.MockedFunction<typeof requestAPI>;

/** An index answer of `folder` whose notebooks all carry `mse` (and `r2` for the first). */
function index(folder: string, names: string[]): IIndexResponse {
  const prefix = folder === '' ? '' : folder + '/';
  return {
    path: folder,
    truncated: false,
    notebooks: names.map((name, i) => ({
      path: `${prefix}${name}.ipynb`,
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
          ? [
              {
                name: 'r2',
                origin: 'scrap' as const,
                kind: 'scalar' as const,
                value: 0.5
              }
            ]
          : [])
      ]
    })),
    names: [
      {
        name: 'mse',
        origin: 'tag',
        kind: 'scalar',
        count: names.length,
        min: 0,
        max: names.length - 1
      },
      {
        name: 'r2',
        origin: 'scrap',
        kind: 'scalar',
        count: 1,
        min: 0.5,
        max: 0.5
      }
    ]
  };
}

/** A URL's query of the last index request, as a plain object. */
function lastQuery(): Record<string, string> {
  const endpoint = request.mock.calls[
    request.mock.calls.length - 1
  ][0] as string;
  expect(endpoint.startsWith('index?')).toBe(true);
  return Object.fromEntries(
    new URLSearchParams(endpoint.slice('index?'.length))
  );
}

/** A minimal pin service. */
class FakePin implements IBaselinePin {
  path: string | null = null;
  readonly changed: Signal<IBaselinePin, string | null> = new Signal(this);
  set(path: string | null): void {
    this.path = path;
    this.changed.emit(path);
  }
}

describe('TagBrowserModel', () => {
  beforeEach(() => {
    request.mockReset();
  });

  it('fetches the index of its folder and lists the names', async () => {
    // Given a server answering with two runs
    request.mockResolvedValue(index('runs', ['a', 'b']));
    const model = new TagBrowserModel();

    // When the model is pointed at the folder
    await model.setPath('runs');

    // Then it asked for that folder, non-recursively, and lists both names
    expect(lastQuery()).toEqual({ path: 'runs', recursive: 'false' });
    expect(model.groups.map(g => g.entries.map(e => e.key))).toEqual([
      ['tag:mse'],
      ['scrap:r2']
    ]);
    expect(model.status).toBe('idle');
  });

  it('asks again with recursive=true when subfolders are included', async () => {
    request.mockResolvedValue(index('runs', ['a']));
    const model = new TagBrowserModel();
    await model.setPath('/runs/');
    await model.setRecursive(true);
    expect(lastQuery()).toEqual({ path: 'runs', recursive: 'true' });
    expect(model.recursive).toBe(true);
  });

  it('filters by the search and says so', async () => {
    request.mockResolvedValue(index('runs', ['a', 'b']));
    const model = new TagBrowserModel();
    await model.setPath('runs');
    const changes: TagBrowserChange[] = [];
    model.changed.connect((_, change) => changes.push(change));

    model.setQuery('R2');

    expect(changes).toEqual(['filter']);
    expect(model.groups.flatMap(g => g.entries.map(e => e.name))).toEqual([
      'r2'
    ]);
    expect(model.entries.length).toBe(2);
  });

  describe('ticks', () => {
    it('ticks names and notebooks and builds the compare request', async () => {
      // Given three runs
      request.mockResolvedValue(index('runs', ['a', 'b', 'c']));
      const model = new TagBrowserModel();
      await model.setPath('runs');
      expect(model.canCompare).toBe(false);

      // When one name and two notebooks are ticked
      model.setNameTicked('tag:mse', true);
      model.setNotebookTicked('runs/c.ipynb', true);
      model.setNotebookTicked('runs/a.ipynb', true);

      // Then the comparison is of those two notebooks, restricted to mse
      expect(model.selection).toEqual({
        paths: ['runs/a.ipynb', 'runs/c.ipynb'],
        names: ['mse'],
        baseline: null
      });
      expect(model.canCompare).toBe(true);
    });

    it('needs two notebooks to compare', async () => {
      request.mockResolvedValue(index('runs', ['a', 'b']));
      const model = new TagBrowserModel();
      await model.setPath('runs');
      // r2 is carried by one notebook only
      model.setNameTicked('scrap:r2', true);
      expect(model.selection.paths).toEqual(['runs/a.ipynb']);
      expect(model.canCompare).toBe(false);
      // mse is carried by both
      model.setNameTicked('tag:mse', true);
      expect(model.canCompare).toBe(true);
    });

    it('announces only real changes, and clears all at once', async () => {
      request.mockResolvedValue(index('runs', ['a', 'b']));
      const model = new TagBrowserModel();
      await model.setPath('runs');
      const changes: TagBrowserChange[] = [];
      model.changed.connect((_, change) => changes.push(change));

      model.setNameTicked('tag:mse', true);
      model.setNameTicked('tag:mse', true);
      model.setNotebookTicked('runs/a.ipynb', false);
      model.clearTicks();
      model.clearTicks();

      expect(changes).toEqual(['ticks', 'ticks']);
      expect(model.tickedNames.size + model.tickedPaths.size).toBe(0);
    });

    it('forgets ticks of notebooks and names that went away', async () => {
      // Given b ticked and r2 ticked
      request.mockResolvedValueOnce(index('runs', ['a', 'b']));
      const model = new TagBrowserModel();
      await model.setPath('runs');
      model.setNotebookTicked('runs/a.ipynb', true);
      model.setNotebookTicked('runs/b.ipynb', true);
      model.setNameTicked('scrap:r2', true);
      model.setExpanded('scrap:r2', true);

      // When a refresh no longer has b, nor any r2 (a is now second)
      const next = index('runs', ['z', 'a']);
      next.names = next.names.filter(n => n.name !== 'r2');
      next.notebooks.forEach(nb => {
        nb.names = nb.names.filter(n => n.name !== 'r2');
      });
      request.mockResolvedValueOnce(next);
      await model.refresh();

      // Then only what still exists stays ticked
      expect(Array.from(model.tickedPaths)).toEqual(['runs/a.ipynb']);
      expect(model.tickedNames.size).toBe(0);
      expect(model.isExpanded('scrap:r2')).toBe(false);
    });

    it('clears ticks and expansions when the folder changes', async () => {
      request.mockResolvedValue(index('runs', ['a', 'b']));
      const model = new TagBrowserModel();
      await model.setPath('runs');
      model.setNameTicked('tag:mse', true);
      model.setExpanded('tag:mse', true);

      request.mockResolvedValue(index('other', ['a', 'b']));
      await model.setPath('other');

      expect(model.tickedNames.size).toBe(0);
      expect(model.isExpanded('tag:mse')).toBe(false);
    });
  });

  describe('the pinned baseline', () => {
    it('is the baseline when it is among the compared notebooks', async () => {
      const pin = new FakePin();
      request.mockResolvedValue(index('runs', ['a', 'b', 'c']));
      const model = new TagBrowserModel({ pin });
      await model.setPath('runs');
      const changes: TagBrowserChange[] = [];
      model.changed.connect((_, change) => changes.push(change));

      pin.set('runs/b.ipynb');
      model.setNotebookTicked('runs/a.ipynb', true);
      model.setNotebookTicked('runs/b.ipynb', true);

      expect(changes[0]).toBe('pin');
      expect(model.pinned).toBe('runs/b.ipynb');
      expect(model.selection.baseline).toBe('runs/b.ipynb');

      model.setNotebookTicked('runs/b.ipynb', false);
      model.setNotebookTicked('runs/c.ipynb', true);
      expect(model.selection.baseline).toBeNull();
    });
  });

  describe('refreshing without storms', () => {
    beforeEach(() => {
      jest.useFakeTimers();
    });
    afterEach(() => {
      jest.useRealTimers();
    });

    it('never runs two requests at once and runs one more for calls made meanwhile', async () => {
      // Given a request held open
      const first = deferred<IIndexResponse>();
      request.mockReturnValueOnce(first.promise);
      request.mockResolvedValue(index('runs', ['a', 'b']));
      const model = new TagBrowserModel();
      const done = model.setPath('runs');
      expect(model.status).toBe('loading');

      // When three more refreshes are asked for while it runs
      void model.refresh();
      void model.refresh();
      void model.refresh();
      expect(request).toHaveBeenCalledTimes(1);

      // Then, once it answers, exactly one more request is made
      first.resolve(index('runs', ['a']));
      await done;
      expect(request).toHaveBeenCalledTimes(2);
      expect(model.index!.notebooks.length).toBe(2);
    });

    it('drops an answer for a folder the user has left', async () => {
      // Given the answer for "old" arrives after the user moved to "new"
      const slow = deferred<IIndexResponse>();
      request.mockReturnValueOnce(slow.promise);
      request.mockResolvedValueOnce(index('new', ['n1', 'n2']));
      const model = new TagBrowserModel();
      const old = model.setPath('old');
      void model.setPath('new');
      slow.resolve(index('old', ['o1']));
      await old;

      // Then the model shows "new" only
      expect(model.path).toBe('new');
      expect(model.index!.path).toBe('new');
      expect(lastQuery().path).toBe('new');
    });

    it('gathers a burst of file changes into one request', async () => {
      // Given a model showing "runs"
      request.mockResolvedValue(index('runs', ['a']));
      const model = new TagBrowserModel({ debounce: 300 });
      await model.setPath('runs');
      request.mockClear();

      // When ten notebooks of the folder are saved in quick succession
      for (let i = 0; i < 10; i++) {
        const relevant = model.handleFileChange({
          type: 'save',
          oldValue: null,
          newValue: { path: `runs/n${i}.ipynb` }
        });
        expect(relevant).toBe(true);
        jest.advanceTimersByTime(100);
      }
      expect(request).not.toHaveBeenCalled();

      // Then one request follows the quiet period
      jest.advanceTimersByTime(300);
      expect(request).toHaveBeenCalledTimes(1);
    });

    it('ignores changes outside the folder', async () => {
      request.mockResolvedValue(index('runs', ['a']));
      const model = new TagBrowserModel({ debounce: 300 });
      // (awaited: a request still pending after 300 ms would ask its progress)
      await model.setPath('runs');
      request.mockClear();
      const relevant = model.handleFileChange({
        type: 'save',
        oldValue: null,
        newValue: { path: 'elsewhere/x.ipynb' }
      });
      jest.advanceTimersByTime(1000);
      expect(relevant).toBe(false);
      expect(request).not.toHaveBeenCalled();
    });

    it('does not redraw when a poll finds nothing new', async () => {
      request.mockImplementation(async () => index('runs', ['a', 'b']));
      const model = new TagBrowserModel();
      await model.setPath('runs');
      const changes: TagBrowserChange[] = [];
      model.changed.connect((_, change) => changes.push(change));

      await model.refresh();

      expect(changes).not.toContain('data');
    });
  });

  it('keeps the last list and reports the error when a refresh fails', async () => {
    request.mockResolvedValueOnce(index('runs', ['a', 'b']));
    const model = new TagBrowserModel();
    await model.setPath('runs');

    request.mockRejectedValueOnce(new Error('Server unavailable'));
    await model.refresh();

    expect(model.status).toBe('error');
    expect(model.error).toBe('Server unavailable');
    expect(model.entries.length).toBe(2);
  });

  it('says when the server cut the scan', async () => {
    const cut = index('runs', ['a']);
    cut.truncated = true;
    request.mockResolvedValue(cut);
    const model = new TagBrowserModel();
    await model.setPath('runs');
    expect(model.truncated).toBe(true);
  });
});

describe('which file changes matter', () => {
  const change = (
    type: Contents.IChangedArgs['type'],
    oldPath: string | null,
    newPath: string | null
  ): Contents.IChangedArgs => ({
    type,
    oldValue: oldPath === null ? null : { path: oldPath },
    newValue: newPath === null ? null : { path: newPath }
  });

  it.each([
    ['a direct child', 'runs/a.ipynb', 'runs', false, true],
    ['a nested notebook, flat view', 'runs/x/a.ipynb', 'runs', false, false],
    ['a nested notebook, recursive view', 'runs/x/a.ipynb', 'runs', true, true],
    [
      'a sibling folder with a shared prefix',
      'runs2/a.ipynb',
      'runs',
      true,
      false
    ],
    ['the root folder', 'a.ipynb', '', false, true],
    ['under the root, flat', 'x/a.ipynb', '', false, false],
    ['the folder itself', 'runs', 'runs', true, false]
  ])('isInFolder: %s', (_label, path, folder, recursive, expected) => {
    expect(isInFolder(path, folder, recursive)).toBe(expected);
  });

  it.each([
    [
      'a notebook saved in the folder',
      change('save', null, 'runs/a.ipynb'),
      'runs',
      false,
      true
    ],
    [
      'a notebook created',
      change('new', null, 'runs/Untitled.ipynb'),
      'runs',
      false,
      true
    ],
    [
      'a notebook moved into the folder',
      change('rename', 'x.ipynb', 'runs/x.ipynb'),
      'runs',
      false,
      true
    ],
    [
      'a notebook moved out of the folder',
      change('rename', 'runs/x.ipynb', 'x.ipynb'),
      'runs',
      false,
      true
    ],
    [
      'a notebook deleted',
      change('delete', 'runs/a.ipynb', null),
      'runs',
      false,
      true
    ],
    [
      'a CSV saved in the folder',
      change('save', null, 'runs/data.csv'),
      'runs',
      false,
      false
    ],
    [
      'a subfolder deleted, recursive view',
      change('delete', 'runs/old', null),
      'runs',
      true,
      true
    ],
    [
      'a subfolder deleted, flat view',
      change('delete', 'runs/old', null),
      'runs',
      false,
      false
    ],
    [
      'the folder itself renamed',
      change('rename', 'runs', 'runs-2026'),
      'runs',
      false,
      true
    ],
    [
      'a parent of the folder deleted',
      change('delete', 'exp', null),
      'exp/runs',
      false,
      true
    ],
    [
      'a notebook elsewhere',
      change('save', null, 'other/a.ipynb'),
      'runs',
      true,
      false
    ]
  ])('%s', (_label, args, folder, recursive, expected) => {
    expect(isRelevantChange(args, folder, recursive)).toBe(expected);
  });
});
