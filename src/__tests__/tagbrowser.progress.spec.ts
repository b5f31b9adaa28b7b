/**
 * Issue #14: while a first scan runs, the tag browser asks the server how far
 * it has come and shows it; the browser stays usable, and changing folder
 * cancels the scan. The boundary under test is `requestAPI` (mocked): what
 * the model asks, when, and what it does with the answers.
 */
import { Widget } from '@lumino/widgets';

import { requestAPI } from '../request';
import { TagBrowserChange, TagBrowserModel } from '../tagbrowser/model';
import { TagBrowser } from '../tagbrowser/widget';
import { IIndexProgress, IIndexResponse } from '../tokens';

jest.mock('../request', () => ({ requestAPI: jest.fn() }));

const request = requestAPI as jest.MockedFunction<typeof requestAPI>;

/** An index answer of `folder` with `n` notebooks carrying `mse`. */
function index(folder: string, n: number): IIndexResponse {
  return {
    path: folder,
    truncated: false,
    notebooks: Array.from({ length: n }, (_, i) => ({
      path: `${folder}/r${i}.ipynb`,
      last_modified: '2026-11-26T07:00:00Z',
      status: 'ok' as const,
      names: [{ name: 'mse', origin: 'tag' as const, kind: 'scalar' as const }]
    })),
    names: [{ name: 'mse', origin: 'tag', kind: 'scalar', count: n }]
  };
}

/** A progress answer of a scan in flight. */
function running(read: number, notebooks = 2000, folders = 12): IIndexProgress {
  return { running: true, folders, notebooks, read };
}

/** One index request held open: answer it, or see it aborted. */
interface IHeld {
  path: string;
  signal: AbortSignal | undefined;
  answer(value: IIndexResponse): void;
}

/**
 * A fake server: index requests wait until the test answers them (and reject
 * when aborted, as fetch does); progress requests answer `progress(path)`.
 */
class FakeServer {
  held: IHeld[] = [];
  asked: string[] = [];
  progress: (path: string) => Promise<unknown> = () =>
    Promise.resolve(running(0));

  constructor() {
    request.mockImplementation(((endpoint: string, init?: RequestInit) => {
      const [route, query] = endpoint.split('?');
      const path = new URLSearchParams(query).get('path') ?? '';
      if (route === 'index/progress') {
        this.asked.push(path);
        return this.progress(path);
      }
      return new Promise((resolve, reject) => {
        const signal = init?.signal ?? undefined;
        signal?.addEventListener('abort', () =>
          reject(new Error('The user aborted a request.'))
        );
        this.held.push({ path, signal, answer: resolve });
      });
    }) as any);
  }
}

describe('TagBrowserModel progress', () => {
  let server: FakeServer;
  let model: TagBrowserModel;

  beforeEach(() => {
    jest.useFakeTimers();
    server = new FakeServer();
    model = new TagBrowserModel();
  });

  afterEach(() => {
    model.dispose();
    jest.useRealTimers();
    request.mockReset();
    jest.restoreAllMocks();
  });

  it('asks nothing when the index answers within the delay', async () => {
    // Given an index that answers after 200 ms
    const done = model.setPath('runs');
    await jest.advanceTimersByTimeAsync(200);
    server.held[0].answer(index('runs', 3));
    await done;
    // When much more time passes
    await jest.advanceTimersByTimeAsync(5000);
    // Then the progress was never asked
    expect(server.asked).toEqual([]);
    expect(model.progress).toBeNull();
  });

  it('polls every 500 ms after 300 ms while the index is pending, then stops', async () => {
    // Given a scan the server reports as it advances
    const answers = [running(0, 340), running(100), running(340)];
    server.progress = () => Promise.resolve(answers.shift() ?? running(340));
    const changes: TagBrowserChange[] = [];
    model.changed.connect((_, change) => changes.push(change));
    const done = model.setPath('runs');

    // When 299 ms pass, nothing is asked yet
    await jest.advanceTimersByTimeAsync(299);
    expect(server.asked).toEqual([]);
    // Then at 300 ms the first ask, for the folder being indexed
    await jest.advanceTimersByTimeAsync(1);
    expect(server.asked).toEqual(['runs']);
    expect(model.progress).toEqual(running(0, 340));
    // and one more every 500 ms, each emitting `progress`
    await jest.advanceTimersByTimeAsync(500);
    expect(model.progress).toEqual(running(100));
    await jest.advanceTimersByTimeAsync(500);
    expect(server.asked.length).toBe(3);
    expect(model.progress).toEqual(running(340));
    expect(changes.filter(c => c === 'progress').length).toBe(3);

    // When the index answers
    server.held[0].answer(index('runs', 2000));
    await done;
    // Then the progress is gone and nothing more is asked
    expect(model.progress).toBeNull();
    await jest.advanceTimersByTimeAsync(5000);
    expect(server.asked.length).toBe(3);
    expect(model.index!.notebooks.length).toBe(2000);
  });

  it('asks one progress at a time, however slow its answer', async () => {
    // Given progress answers that take 2 s each
    server.progress = () =>
      new Promise(resolve => setTimeout(() => resolve(running(5)), 2000));
    void model.setPath('runs');
    // When 5 s pass
    await jest.advanceTimersByTimeAsync(5000);
    // Then asks never overlapped: at 300 ms, then 500 ms after the first
    // answer (2300 ms), so at 2800 ms; the third waits for the second answer
    expect(server.asked.length).toBe(2);
    await jest.advanceTimersByTimeAsync(4800 + 500 - 5000);
    expect(server.asked.length).toBe(3);
  });

  it('changing folder aborts the index request and polls the new folder only', async () => {
    // Given the scan of "big" in flight, its progress shown
    const big = model.setPath('big');
    await jest.advanceTimersByTimeAsync(300);
    expect(model.progress).not.toBeNull();
    const old = server.held[0];

    // When the user moves to "small"
    const small = model.setPath('small');
    // Then the request for "big" is aborted (the server stops its scan),
    // the old progress is gone, and "small" is fetched at once
    expect(old.signal!.aborted).toBe(true);
    expect(model.progress).toBeNull();
    await jest.advanceTimersByTimeAsync(0);
    expect(server.held.map(h => h.path)).toEqual(['big', 'small']);
    server.asked = [];
    await jest.advanceTimersByTimeAsync(800);
    expect(server.asked).toEqual(['small', 'small']);
    server.held[1].answer(index('small', 1));
    await small;
    await big;
    expect(model.path).toBe('small');
    expect(model.index!.path).toBe('small');
    expect(model.status).toBe('idle');
  });

  it('toggling subfolders aborts the request too', async () => {
    void model.setPath('runs');
    await jest.advanceTimersByTimeAsync(300);
    void model.setRecursive(true);
    expect(server.held[0].signal!.aborted).toBe(true);
    await jest.advanceTimersByTimeAsync(0);
    expect(server.held.length).toBe(2);
  });

  it('stops polling when disposed', async () => {
    void model.setPath('runs');
    await jest.advanceTimersByTimeAsync(300);
    expect(server.asked.length).toBe(1);
    model.dispose();
    await jest.advanceTimersByTimeAsync(5000);
    expect(server.asked.length).toBe(1);
    expect(server.held[0].signal!.aborted).toBe(true);
  });

  it('keeps polling after a failed ask, and ignores answers of no running scan', async () => {
    // Given a server whose first ask fails, whose second says no scan runs
    const answers: (() => Promise<unknown>)[] = [
      () => Promise.reject(new Error('502 Bad Gateway')),
      () => Promise.resolve({ ...running(0), running: false }),
      () => Promise.resolve({ message: 'not a progress' }),
      () => Promise.resolve(running(7, 9))
    ];
    server.progress = () => answers.shift()!();
    void model.setPath('runs');
    // When the asks go on
    await jest.advanceTimersByTimeAsync(300 + 500 + 500);
    // Then none of them made the folder an error, nor showed a progress
    expect(model.status).toBe('loading');
    expect(model.progress).toBeNull();
    await jest.advanceTimersByTimeAsync(500);
    expect(model.progress).toEqual(running(7, 9));
  });
});

describe('TagBrowser progress view', () => {
  let server: FakeServer;
  let model: TagBrowserModel;
  let widget: TagBrowser;

  beforeEach(() => {
    jest.useFakeTimers();
    // jsdom lays nothing out: give the windowed list a height, as a sidebar would.
    jest
      .spyOn(HTMLElement.prototype, 'getBoundingClientRect')
      .mockImplementation(function (this: HTMLElement) {
        const height = this.classList.contains('jp-WindowedPanel') ? 400 : 0;
        return { height, width: 300, top: 0, left: 0 } as DOMRect;
      });
    server = new FakeServer();
    model = new TagBrowserModel();
    widget = new TagBrowser({ model, onCompare: () => 0, pollInterval: 0 });
    Widget.attach(widget, document.body);
  });

  afterEach(() => {
    widget.dispose();
    model.dispose();
    jest.useRealTimers();
    request.mockReset();
    jest.restoreAllMocks();
  });

  const bar = () =>
    widget.node.querySelector<HTMLElement>('[role="progressbar"]')!;
  const progressNode = () =>
    widget.node.querySelector<HTMLElement>(
      '.jp-NbCompare-tagBrowser-progress'
    )!;
  const notice = () =>
    widget.node.querySelector<HTMLElement>('.jp-NbCompare-tagBrowser-notice')!;

  it('shows "Reading notebooks… 340 of 2,000" on a bar with its values', async () => {
    // Given a first scan whose progress the server reports
    const answers = [running(0, 1500, 40), running(340)];
    server.progress = () => Promise.resolve(answers.shift() ?? running(340));
    widget.setFolder('runs');
    // Before the delay: only the short notice, no bar
    expect(progressNode().hidden).toBe(true);
    expect(notice().textContent).toBe('Reading notebooks…');

    // When the first progress arrives (folders still being listed)
    await jest.advanceTimersByTimeAsync(300);
    // Then the bar shows, indeterminate, with what was found
    expect(progressNode().hidden).toBe(false);
    expect(progressNode().textContent).toBe(
      'Looking for notebooks… 1,500 found in 40 folders'
    );
    expect(bar().hasAttribute('aria-valuenow')).toBe(false);
    expect(bar().classList.contains('jp-mod-indeterminate')).toBe(true);
    expect(notice().textContent).toBe('');

    // When notebooks are being read
    await jest.advanceTimersByTimeAsync(500);
    // Then the bar says how many of how many
    expect(progressNode().textContent).toBe('Reading notebooks… 340 of 2,000');
    expect(bar().getAttribute('aria-valuenow')).toBe('340');
    expect(bar().getAttribute('aria-valuemax')).toBe('2000');
    expect(bar().getAttribute('aria-valuemin')).toBe('0');
    expect(bar().getAttribute('aria-valuetext')).toBe(
      'Reading notebooks… 340 of 2,000'
    );
    expect(bar().getAttribute('aria-label')).toBeTruthy();
    expect(bar().classList.contains('jp-mod-indeterminate')).toBe(false);

    // When the index answers
    server.held[0].answer(index('runs', 2));
    await jest.advanceTimersByTimeAsync(100); // and the list's frame
    // Then the bar is gone and the names are listed
    expect(progressNode().hidden).toBe(true);
    expect(widget.node.querySelectorAll('li[data-key]').length).toBe(1);
  });

  it('stays usable while a refresh scans: known names stay and the search filters them', async () => {
    // Given a folder already shown
    widget.setFolder('runs');
    await jest.advanceTimersByTimeAsync(0);
    server.held[0].answer(index('runs', 3));
    await jest.advanceTimersByTimeAsync(100); // and the list's frame
    expect(widget.node.querySelectorAll('li[data-key]').length).toBe(1);

    // When it is refreshed and the scan takes long
    void model.refresh();
    server.progress = () => Promise.resolve(running(1, 3, 1));
    await jest.advanceTimersByTimeAsync(300);
    expect(progressNode().hidden).toBe(false);
    // Then the known names are still listed, and the search box filters them
    const search = widget.node.querySelector<HTMLInputElement>(
      '.jp-NbCompare-tagBrowser-search'
    )!;
    expect(search.disabled).toBe(false);
    search.value = 'nothing-like-it';
    search.dispatchEvent(new Event('input'));
    await jest.advanceTimersByTimeAsync(500);
    expect(widget.node.querySelectorAll('li[data-key]').length).toBe(0);
    search.value = 'ms';
    search.dispatchEvent(new Event('input'));
    await jest.advanceTimersByTimeAsync(500);
    expect(widget.node.querySelectorAll('li[data-key]').length).toBe(1);
    expect(progressNode().hidden).toBe(false);
  });
});
