import { Contents } from '@jupyterlab/services';
import { StateDB } from '@jupyterlab/statedb';

import {
  AskPath,
  EXPORT_FOLDER_KEY,
  ExportSaver,
  IExportRequest,
  normalizePath
} from '../exportsaver';
import { freeName, saveNew } from '../save';

/** A refusal with an HTTP status, as the contents service throws it. */
function refused(status: number): Error {
  return Object.assign(new Error(`${status}`), { response: { status } });
}

/**
 * A contents service over a map of path → text, with the server's rules
 * that matter here: `rename` refuses an existing target (409), `get` of a
 * missing path is a 404. `beforeRename` lets a test create a file in the
 * window between the write and the rename (the race).
 */
class FakeContents {
  files = new Map<string, string | null>([['', null]]); // null: a folder
  beforeRename: (() => void) | null = null;
  private _n = 0;

  newUntitled = jest.fn(async (options: Contents.ICreateOptions) => {
    const folder = options.path ?? '';
    if (!this.files.has(folder) || this.files.get(folder) !== null) {
      throw refused(404);
    }
    const name = `untitled${this._n++}${options.ext ?? ''}`;
    const path = folder ? `${folder}/${name}` : name;
    this.files.set(path, '');
    return { path, name } as Contents.IModel;
  });

  save = jest.fn(async (path: string, model: Partial<Contents.IModel>) => {
    this.files.set(
      path,
      model.type === 'directory'
        ? null
        : typeof model.content === 'string'
          ? model.content
          : JSON.stringify(model.content)
    );
    return { path, name: path.split('/').pop() } as Contents.IModel;
  });

  rename = jest.fn(async (from: string, to: string) => {
    this.beforeRename?.();
    if (this.files.has(to)) {
      throw refused(409);
    }
    this.files.set(to, this.files.get(from)!);
    this.files.delete(from);
    return { path: to, name: to.split('/').pop() } as Contents.IModel;
  });

  delete = jest.fn(async (path: string) => {
    this.files.delete(path);
  });

  get = jest.fn(async (path: string) => {
    if (!this.files.has(path)) {
      throw refused(404);
    }
    const text = this.files.get(path);
    if (text !== null) {
      return { path, type: 'file', content: text } as Contents.IModel;
    }
    const content = Array.from(this.files.keys())
      .filter(
        child =>
          child !== path &&
          child.startsWith(path ? `${path}/` : '') &&
          !child.slice(path ? path.length + 1 : 0).includes('/')
      )
      .map(child => ({ path: child, name: child.split('/').pop() }));
    return { path, type: 'directory', content } as unknown as Contents.IModel;
  });

  /** Files, not folders, and no temporary file left. */
  texts(): Record<string, string> {
    const out: Record<string, string> = {};
    for (const [path, text] of this.files) {
      if (text !== null) {
        out[path] = text;
      }
    }
    return out;
  }
}

const asManager = (fake: FakeContents) => fake as unknown as Contents.IManager;

function request(overrides: Partial<IExportRequest> = {}): IExportRequest {
  return {
    folder: 'runs',
    stem: 'comparison',
    extension: 'html',
    label: 'HTML report',
    offerRemember: true,
    content: () => ({ type: 'file', format: 'text', content: '<p>new</p>' }),
    ...overrides
  };
}

describe('saveNew: a new file, never over one', () => {
  it('writes the file and leaves no temporary file', async () => {
    const fake = new FakeContents();
    const saved = await saveNew(asManager(fake), 'reports/x/a.csv', {
      type: 'file',
      format: 'text',
      content: 'a,b'
    });
    expect(saved?.path).toBe('reports/x/a.csv');
    expect(fake.texts()).toEqual({ 'reports/x/a.csv': 'a,b' });
    // the missing folders were created
    expect(fake.files.get('reports')).toBeNull();
    expect(fake.files.get('reports/x')).toBeNull();
  });

  it('answers null and keeps a file created after any check (the race)', async () => {
    const fake = new FakeContents();
    // A file appears between the write of the content and the rename
    fake.beforeRename = () => fake.files.set('a.md', 'theirs');
    const saved = await saveNew(asManager(fake), 'a.md', {
      type: 'file',
      format: 'text',
      content: 'mine'
    });
    expect(saved).toBeNull();
    expect(fake.texts()).toEqual({ 'a.md': 'theirs' });
  });

  it('removes the temporary file when writing fails', async () => {
    const fake = new FakeContents();
    fake.save.mockRejectedValueOnce(refused(500));
    await expect(
      saveNew(asManager(fake), 'a.md', { type: 'file', content: 'x' })
    ).rejects.toThrow('500');
    expect(fake.texts()).toEqual({});
  });

  it('refuses a folder path that is a file', async () => {
    const fake = new FakeContents();
    fake.files.set('reports', 'a file');
    await expect(
      saveNew(asManager(fake), 'reports/a.md', { type: 'file', content: 'x' })
    ).rejects.toThrow('reports is a file');
  });
});

describe('freeName: the suggestion', () => {
  it('is the first name not taken now', async () => {
    const fake = new FakeContents();
    fake.files.set('runs', null);
    fake.files.set('runs/comparison.html', 'old');
    fake.files.set('runs/comparison-1.html', 'old');
    expect(await freeName(asManager(fake), 'runs', 'comparison', 'html')).toBe(
      'runs/comparison-2.html'
    );
    expect(await freeName(asManager(fake), 'new', 'comparison', 'html')).toBe(
      'new/comparison.html'
    );
  });
});

describe('ExportSaver: asks where, never overwrites without asking', () => {
  function saverWith(
    fake: FakeContents,
    answers: (string | null)[],
    overwrite: boolean[] = [],
    state: StateDB | null = null,
    remember = false
  ) {
    const asked: Parameters<AskPath>[0][] = [];
    const ask: AskPath = async options => {
      asked.push(options);
      const path = answers.shift();
      return path === null || path === undefined ? null : { path, remember };
    };
    const confirmOverwrite = jest.fn(async () => overwrite.shift() ?? false);
    const saver = new ExportSaver({
      contents: asManager(fake),
      ask,
      confirmOverwrite,
      state
    });
    return { saver, asked, confirmOverwrite };
  }

  it('suggests a free name in the folder and saves where the user says', async () => {
    const fake = new FakeContents();
    fake.files.set('runs', null);
    fake.files.set('runs/comparison.html', 'old');
    const { saver, asked } = saverWith(fake, ['reports/sweep.html']);
    const saved = await saver.save(request());
    expect(asked[0].suggestion).toBe('runs/comparison-1.html');
    expect(asked[0].problem).toBeNull();
    expect(saved?.path).toBe('reports/sweep.html');
    expect(fake.texts()['reports/sweep.html']).toBe('<p>new</p>');
    expect(fake.texts()['runs/comparison.html']).toBe('old');
  });

  it('a cancel saves nothing', async () => {
    const fake = new FakeContents();
    const { saver } = saverWith(fake, [null]);
    expect(await saver.save(request())).toBeNull();
    expect(fake.texts()).toEqual({});
  });

  it('a taken name asks; "keep it" asks for another name, the file stays', async () => {
    const fake = new FakeContents();
    fake.files.set('runs', null);
    fake.files.set('runs/mine.html', 'mine');
    const { saver, asked, confirmOverwrite } = saverWith(
      fake,
      ['runs/mine.html', 'runs/other.html'],
      [false]
    );
    const saved = await saver.save(request());
    expect(confirmOverwrite).toHaveBeenCalledWith('runs/mine.html');
    expect(asked[1]).toMatchObject({
      suggestion: 'runs/mine.html',
      problem: 'exists'
    });
    expect(saved?.path).toBe('runs/other.html');
    expect(fake.texts()).toEqual({
      'runs/mine.html': 'mine',
      'runs/other.html': '<p>new</p>'
    });
  });

  it('a taken name is replaced only when the user says so', async () => {
    const fake = new FakeContents();
    fake.files.set('runs', null);
    fake.files.set('runs/mine.html', 'mine');
    const { saver } = saverWith(fake, ['runs/mine.html'], [true]);
    const saved = await saver.save(request());
    expect(saved?.path).toBe('runs/mine.html');
    expect(fake.texts()).toEqual({ 'runs/mine.html': '<p>new</p>' });
  });

  it('a path naming no file is asked again, saying why', async () => {
    const fake = new FakeContents();
    const { saver, asked } = saverWith(fake, [
      '../x.html',
      'reports/',
      'ok.html'
    ]);
    expect((await saver.save(request()))?.path).toBe('ok.html');
    expect(asked.map(a => a.problem)).toEqual([null, 'invalid', 'invalid']);
  });

  it("builds the content for the chosen folder (a notebook's relative paths)", async () => {
    const fake = new FakeContents();
    const content = jest.fn((folder: string) => ({
      type: 'file' as const,
      format: 'text' as const,
      content: `in ${folder}`
    }));
    const { saver } = saverWith(fake, ['/reports/./a.ipynb']);
    await saver.save(request({ content }));
    expect(content).toHaveBeenCalledWith('reports');
    expect(fake.texts()['reports/a.ipynb']).toBe('in reports');
  });

  it('remembers the folder the user keeps for exports, across reloads', async () => {
    const state = new StateDB();
    const fake = new FakeContents();
    const first = saverWith(fake, ['reports/a.html'], [], state, true);
    await first.saver.restored;
    expect(first.saver.folder).toBeNull();
    await first.saver.save(request());
    expect(first.saver.folder).toBe('reports');
    expect(await state.fetch(EXPORT_FOLDER_KEY)).toBe('reports');
    const second = saverWith(fake, [], [], state);
    await second.saver.restored;
    expect(second.saver.folder).toBe('reports');
    // Not offered (beside a view file): not remembered
    const third = saverWith(fake, ['views/b.html'], [], state, true);
    await third.saver.save(request({ offerRemember: false }));
    expect(third.saver.folder).toBe('reports');
  });
});

describe('normalizePath', () => {
  it.each([
    ['reports/a.html', 'reports/a.html'],
    ['/reports//a.html ', 'reports/a.html'],
    ['./a.html', 'a.html'],
    ['', null],
    ['reports/', null],
    ['../a.html', null],
    ['a/../../b.html', null]
  ])('%j → %j', (typed, expected) => {
    expect(normalizePath(typed)).toBe(expected);
  });
});
