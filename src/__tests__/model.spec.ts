import { ServerConnection } from '@jupyterlab/services';

import { CompareModel } from '../model';
import { requestAPI } from '../request';
import { ICompareRequest, ICompareResponse } from '../tokens';
import { A, B, C, deferred, response } from './fixtures';

jest.mock('../request', () => ({
  requestAPI: jest.fn(),
  serverURL: (url: string) => `/${url}`
}));

const mockedRequest = requestAPI as jest.MockedFunction<typeof requestAPI>;

beforeEach(() => {
  mockedRequest.mockReset();
});

describe('CompareModel: talking to the server', () => {
  it('posts the paths and baseline to nbcompare/compare and exposes the answer', async () => {
    // Given the server answers the comparison
    mockedRequest.mockResolvedValue(response());
    const model = new CompareModel({ paths: [A, B, C] });
    const changes: string[] = [];
    model.changed.connect((_, change) => changes.push(change));
    // When the model refreshes
    await model.refresh();
    // Then it asked POST compare with the first column as baseline
    expect(mockedRequest).toHaveBeenCalledTimes(1);
    const [endpoint, init] = mockedRequest.mock.calls[0];
    expect(endpoint).toBe('compare');
    expect(init!.method).toBe('POST');
    expect(JSON.parse(init!.body as string)).toEqual({
      paths: [A, B, C],
      baseline: A
    });
    // and exposes the sections
    expect(model.notebooks.map(n => n.path)).toEqual([A, B, C]);
    expect(model.parameters.map(p => p.name)).toEqual(['alpha', 'model']);
    expect(model.metrics.map(m => m.label)).toContain('metrics.r2');
    expect(model.others.map(v => v.name)).toEqual(['top_features', 'summary']);
    expect(changes).toEqual(['status', 'data', 'status']);
    expect(model.loading).toBe(false);
  });

  it('keeps a readable error and the previous data when the server fails', async () => {
    mockedRequest.mockResolvedValueOnce(response());
    const model = new CompareModel({ paths: [A, B] });
    await model.refresh();
    // When the next request fails
    mockedRequest.mockRejectedValueOnce(new Error('Too many notebooks'));
    await model.refresh();
    // Then the message is kept for the panel and the old answer stays
    expect(model.error).toBe('Too many notebooks');
    expect(model.data).not.toBeNull();
    // and a later success clears it
    mockedRequest.mockResolvedValueOnce(response());
    await model.refresh();
    expect(model.error).toBeNull();
  });

  it('drops a late answer to an older request', async () => {
    // Given two requests whose answers arrive in reverse order
    const first = deferred<ICompareResponse>();
    const second = deferred<ICompareResponse>();
    mockedRequest
      .mockReturnValueOnce(first.promise as any)
      .mockReturnValueOnce(second.promise as any);
    const model = new CompareModel({ paths: [A, B, C] });
    const p1 = model.refresh();
    const p2 = model.setBaseline(B);
    const newer = { ...response(), baseline: B };
    second.resolve(newer);
    await p2;
    first.resolve(response());
    await p1;
    // Then the newer answer (baseline B) is the one shown
    expect(model.data!.baseline).toBe(B);
  });
});

describe('CompareModel: baseline', () => {
  it('uses the pinned notebook when it is compared, else the first column', () => {
    expect(new CompareModel({ paths: [A, B, C], pinned: C }).baseline).toBe(C);
    expect(
      new CompareModel({ paths: [A, B], pinned: 'elsewhere.ipynb' }).baseline
    ).toBe(A);
  });

  it('re-requests with the new baseline when the user sets one', async () => {
    mockedRequest.mockResolvedValue(response());
    const model = new CompareModel({ paths: [A, B, C] });
    await model.refresh();
    await model.setBaseline(B);
    expect(model.baseline).toBe(B);
    const body = JSON.parse(mockedRequest.mock.calls[1][1]!.body as string);
    expect(body.baseline).toBe(B);
    // Setting the same baseline again asks nothing
    await model.setBaseline(B);
    expect(mockedRequest).toHaveBeenCalledTimes(2);
  });

  it('draws cells against the baseline of the answer until the new one arrives', async () => {
    // Given an answer computed against A
    mockedRequest.mockResolvedValueOnce(response());
    const model = new CompareModel({ paths: [A, B, C] });
    await model.refresh();
    expect(model.dataBaseline).toBe(A);
    // When the user picks B and the server has not answered yet
    const pending = deferred<ICompareResponse>();
    mockedRequest.mockReturnValueOnce(pending.promise as any);
    const switching = model.setBaseline(B);
    // Then the header's choice is B, but the shown deltas are still A's
    expect(model.baseline).toBe(B);
    expect(model.dataBaseline).toBe(A);
    // And once the answer against B arrives, cells follow it
    pending.resolve({ ...response(), baseline: B });
    await switching;
    expect(model.dataBaseline).toBe(B);
  });

  it('a pin replaces an earlier "Set as baseline" in what a reload restores', async () => {
    mockedRequest.mockResolvedValue(response());
    const model = new CompareModel({ paths: [A, B, C] });
    // Given the user set B as baseline, then pinned C
    await model.setBaseline(B);
    expect(model.requestedBaseline).toBe(B);
    await model.setPinned(C);
    // Then C is the baseline, and no explicit B is left to restore over the pin
    expect(model.baseline).toBe(C);
    expect(model.requestedBaseline).toBeNull();
    // And once unpinned, the panel keeps C, so a restored one asks for C
    await model.setPinned(null);
    expect(model.baseline).toBe(C);
    expect(model.requestedBaseline).toBe(C);
  });

  it('keeps a pinned baseline across a reload when the pin moves elsewhere', async () => {
    mockedRequest.mockResolvedValue(response());
    // Given a panel whose baseline B came from the pin
    const model = new CompareModel({ paths: [A, B, C], pinned: B });
    await model.refresh();
    expect(model.requestedBaseline).toBeNull();
    // When the pin moves to a notebook this panel does not compare
    await model.setPinned('elsewhere.ipynb');
    // Then the panel keeps B, and a restored panel asks for B
    expect(model.baseline).toBe(B);
    expect(model.requestedBaseline).toBe(B);
  });

  it('follows the pin only to a compared notebook', async () => {
    mockedRequest.mockResolvedValue(response());
    const model = new CompareModel({ paths: [A, B, C] });
    await model.setPinned('other.ipynb');
    expect(model.baseline).toBe(A);
    await model.setPinned(C);
    expect(model.baseline).toBe(C);
    await model.setPinned(null);
    expect(model.baseline).toBe(C);
  });
});

describe('CompareModel: filter and only differences', () => {
  async function loaded() {
    mockedRequest.mockResolvedValue(response());
    const model = new CompareModel({ paths: [A, B, C] });
    await model.refresh();
    return model;
  }

  it('hides equal rows and keeps rows missing in one notebook', async () => {
    const model = await loaded();
    // When "Only differences" is on
    model.onlyDifferences = true;
    // Then seed_used (0 everywhere) and metrics.r2 (0.9 everywhere) are hidden
    expect(model.metrics.map(m => m.label)).toEqual(['mse', 'metrics.mse']);
    // top_features is equal everywhere: hidden; summary is missing in C: kept
    expect(model.others.map(v => v.name)).toEqual(['summary']);
    // model is "ridge" everywhere: hidden; alpha differs: kept
    expect(model.parameters.map(p => p.name)).toEqual(['alpha']);
  });

  it('filters every section by name, case-insensitively', async () => {
    const model = await loaded();
    model.filter = 'MSE';
    expect(model.metrics.map(m => m.label)).toEqual(['mse', 'metrics.mse']);
    expect(model.others).toEqual([]);
    expect(model.parameters).toEqual([]);
  });

  it('keeps the filter and toggle across a refresh', async () => {
    const model = await loaded();
    model.filter = 'summ';
    model.onlyDifferences = true;
    await model.refresh();
    expect(model.filter).toBe('summ');
    expect(model.onlyDifferences).toBe(true);
    expect(model.others.map(v => v.name)).toEqual(['summary']);
  });

  it('emits a view change only when an option really changes', async () => {
    const model = await loaded();
    const changes: string[] = [];
    model.changed.connect((_, c) => changes.push(c));
    model.filter = 'x';
    model.filter = 'x';
    model.onlyDifferences = false;
    expect(changes).toEqual(['view']);
  });
});

describe('CompareModel: live refresh', () => {
  it('asks the server again only when a notebook changed on disk', async () => {
    // Given a loaded comparison whose files have the answered times
    mockedRequest.mockResolvedValue(response());
    const times: Record<string, string | null> = Object.fromEntries(
      response().notebooks.map(n => [n.path, n.last_modified])
    );
    const stat = jest.fn(async (paths: string[]) => ({ ...times }));
    const model = new CompareModel({ paths: [A, B, C], stat });
    await model.refresh();
    // When nothing changed, Then polling does not ask the server
    expect(await model.checkForChanges()).toBe(false);
    expect(await model.checkForChanges()).toBe(false);
    expect(mockedRequest).toHaveBeenCalledTimes(1);
    // When B is rewritten (papermill writing it)
    times[B] = '2026-11-26T06:00:00.000000Z';
    // Then one poll refreshes, and the next one is quiet again
    expect(await model.checkForChanges()).toBe(true);
    expect(await model.checkForChanges()).toBe(false);
    expect(mockedRequest).toHaveBeenCalledTimes(2);
    // When a file disappears, it is a change too
    times[C] = null;
    expect(await model.checkForChanges()).toBe(true);
  });

  it('notices a change that happened before the first poll', async () => {
    mockedRequest.mockResolvedValue(response());
    const stat = async (paths: string[]) =>
      Object.fromEntries(paths.map(p => [p, '2027-01-01T00:00:00Z']));
    const model = new CompareModel({ paths: [A, B, C], stat });
    await model.refresh();
    expect(await model.checkForChanges()).toBe(true);
  });

  it('does not poll without data, while loading or without a stat function', async () => {
    const stat = jest.fn(async () => ({}));
    const model = new CompareModel({ paths: [A], stat });
    expect(await model.checkForChanges()).toBe(false);
    expect(stat).not.toHaveBeenCalled();
    expect(await new CompareModel({ paths: [A] }).checkForChanges()).toBe(
      false
    );
  });

  it('sends the names restriction along', async () => {
    mockedRequest.mockResolvedValue(response());
    const model = new CompareModel({ paths: [A, B], names: ['mse'] });
    await model.refresh();
    const body: ICompareRequest = JSON.parse(
      mockedRequest.mock.calls[0][1]!.body as string
    );
    expect(body.names).toEqual(['mse']);
  });
});

describe('CompareModel: an unreadable notebook as the default baseline', () => {
  /** The answer for [A, B, C] against `baseline`, with A unreadable. */
  function unreadableFirst(baseline: string): ICompareResponse {
    const data = response();
    data.baseline = baseline;
    data.notebooks = data.notebooks.map(nb =>
      nb.path === A
        ? {
            ...nb,
            status: 'unreadable' as const,
            parameters: {},
            error: { code: 'invalid_json', message: 'Not valid JSON' }
          }
        : nb
    );
    return data;
  }

  const sentBaselines = () =>
    mockedRequest.mock.calls.map(
      call => JSON.parse(call[1]!.body as string).baseline
    );

  it('asks again against the first readable notebook', async () => {
    // Given the first column cannot be read
    mockedRequest.mockImplementation(async (_endpoint, init) =>
      unreadableFirst(JSON.parse(init!.body as string).baseline)
    );
    const model = new CompareModel({ paths: [A, B, C] });
    // When the model refreshes
    await model.refresh();
    // Then it asked once with the default, once with B, and stops there
    expect(sentBaselines()).toEqual([A, B]);
    expect(model.baseline).toBe(B);
    expect(model.dataBaseline).toBe(B);
    // and a later refresh keeps B without a detour
    await model.refresh();
    expect(sentBaselines()).toEqual([A, B, B]);
  });

  it.each([
    ['an explicit baseline', { baseline: A }],
    ['a compared pin', { pinned: A }]
  ])('keeps %s even when unreadable', async (_name, options) => {
    mockedRequest.mockImplementation(async (_endpoint, init) =>
      unreadableFirst(JSON.parse(init!.body as string).baseline)
    );
    const model = new CompareModel({ paths: [A, B, C], ...options });
    await model.refresh();
    expect(sentBaselines()).toEqual([A]);
    expect(model.baseline).toBe(A);
  });

  it('asks again at most once per refresh, even when readability keeps changing', async () => {
    // Given a server where which notebook is unreadable alternates between answers
    let answers = 0;
    mockedRequest.mockImplementation(async (_endpoint, init) => {
      const data = unreadableFirst(JSON.parse(init!.body as string).baseline);
      const broken = answers++ % 2 === 0 ? A : B;
      data.notebooks = data.notebooks.map(nb => ({
        ...nb,
        status: nb.path === broken ? ('unreadable' as const) : ('ok' as const)
      }));
      return data;
    });
    const model = new CompareModel({ paths: [A, B, C] });
    // When the model refreshes
    await model.refresh();
    // Then it asked twice (the default, then the first readable), not forever
    expect(sentBaselines()).toEqual([A, B]);
  });

  it('a pin on the default baseline keeps it even when it becomes unreadable', async () => {
    mockedRequest.mockImplementation(async (_endpoint, init) =>
      unreadableFirst(JSON.parse(init!.body as string).baseline)
    );
    const model = new CompareModel({ paths: [A, B, C] });
    // Given A, the default baseline, is pinned
    await model.setPinned(A);
    // When an answer shows A unreadable
    await model.refresh();
    // Then the pinned A stays the baseline
    expect(sentBaselines()).toEqual([A]);
    expect(model.baseline).toBe(A);
  });

  it('does not loop when no notebook is readable', async () => {
    mockedRequest.mockImplementation(async (_endpoint, init) => {
      const data = unreadableFirst(JSON.parse(init!.body as string).baseline);
      data.notebooks = data.notebooks.map(nb => ({
        ...nb,
        status: 'unreadable' as const
      }));
      return data;
    });
    const model = new CompareModel({ paths: [A, B, C] });
    await model.refresh();
    expect(sentBaselines()).toEqual([A]);
  });
});

describe('CompareModel: errors while refreshing', () => {
  it('hides an old error while a new request runs', async () => {
    // Given a failed request
    mockedRequest.mockRejectedValueOnce(new Error('Too many notebooks'));
    const model = new CompareModel({ paths: [A, B] });
    await model.refresh();
    expect(model.error).toBe('Too many notebooks');
    // When the next one starts
    const answer = deferred<ICompareResponse>();
    mockedRequest.mockReturnValueOnce(answer.promise as any);
    const next = model.refresh();
    // Then the old error is gone while it loads
    expect(model.loading).toBe(true);
    expect(model.error).toBeNull();
    answer.resolve(response());
    await next;
  });

  it('tells an unreachable server from a server that answered an error', async () => {
    mockedRequest.mockRejectedValueOnce(
      new ServerConnection.NetworkError(new TypeError('Failed to fetch'))
    );
    const model = new CompareModel({ paths: [A, B] });
    await model.refresh();
    expect(model.error).toBe('Failed to fetch');
    expect(model.errorIsNetwork).toBe(true);
    mockedRequest.mockRejectedValueOnce(new Error('Too many notebooks'));
    await model.refresh();
    expect(model.errorIsNetwork).toBe(false);
  });
});
