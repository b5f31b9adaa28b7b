import { ServerConnection } from '@jupyterlab/services';

import {
  applyStateToModel,
  emptyViewState,
  IViewState,
  modelOptions,
  newViewText,
  parseViewText,
  readState,
  stateOfModel,
  ViewError,
  viewText
} from '../documents/adapter';
import {
  IViewExpandRequest,
  IViewExpandResponse,
  openView,
  ViewExpander
} from '../documents/expand';
import { CompareModel } from '../model';
import { APIError } from '../request';

jest.mock('../request', () => {
  const actual = jest.requireActual('../request');
  return { ...actual, requestAPI: jest.fn() };
});

/** The example, as a user would have written it (fields in their order). */
const EXAMPLE = `{
  "nbcompare": 1,
  "notebooks": ["runs/*.ipynb", "prod/production.ipynb"],
  "baseline": "prod/production.ipynb",
  "names": ["mse", "metrics"],
  "filter": "",
  "only_differences": false,
  "directions": {"margin": "higher"},
  "group_by": ["model"],
  "sort": {"by": "mse"},
  "layout": "columns",
  "chart": {"x": "model_params.C", "y": "mse", "color": "model"},
  "gates": {"mse": "0.01", "metrics.r2": "1%"},
  "x-my-notes": "kept as written"
}
`;

const VIEW_PATH = 'views/sweep.nbcompare';
const RUNS = [
  'views/runs/a.ipynb',
  'views/runs/b.ipynb',
  'views/prod/production.ipynb'
];

/** A server that accepts the view and answers these notebooks. */
function server(
  answer: Partial<IViewExpandResponse> = {}
): jest.MockedFunction<ViewExpander> {
  return jest.fn(async (_request: IViewExpandRequest) => ({
    notebooks: RUNS,
    baseline: 'views/prod/production.ipynb',
    truncated: null,
    ...answer
  }));
}

/** A refusal as `request.ts` throws it for the server's 400. */
function refusal(status: number, body: Record<string, unknown>): APIError {
  const response = new Response(JSON.stringify(body), { status });
  return new APIError(response, String(body.message), body);
}

/** A model as the document builds it, never fetching. */
function modelFor(paths: string[], state: IViewState): CompareModel {
  const model = new CompareModel({
    ...modelOptions(paths, state),
    fetch: jest.fn(() => new Promise<never>(() => undefined))
  });
  applyStateToModel(model, state);
  return model;
}

describe('opening a view', () => {
  it('sends the text and path, and reads the state with resolved paths', async () => {
    const expand = server();
    const opened = await openView(EXAMPLE, VIEW_PATH, expand);
    expect(expand).toHaveBeenCalledWith({ path: VIEW_PATH, view: EXAMPLE });
    expect(opened.paths).toEqual(RUNS);
    expect(opened.folder).toBe('views');
    expect(opened.state).toEqual({
      baseline: 'views/prod/production.ipynb',
      names: ['mse', 'metrics'],
      filter: '',
      onlyDifferences: false,
      directions: { margin: 'higher' },
      groupBy: ['model'],
      sort: 'mse',
      layout: 'columns',
      chart: { x: 'model_params.C', y: 'mse', color: 'model', logX: false }
    });
  });

  it('gives the defaults of absent fields', async () => {
    const opened = await openView(
      '{"nbcompare": 1, "notebooks": ["*.ipynb"]}',
      'top.nbcompare',
      server({ baseline: null })
    );
    expect(opened.folder).toBe('');
    expect(opened.state).toEqual(emptyViewState());
  });

  it.each([
    [
      "the server's field-named 400 becomes a ViewError naming the field",
      '{}',
      'notebooks[1]: expected a string',
      'notebooks[1]'
    ],
    [
      'an error of the whole file names no field',
      'nope',
      'not valid JSON: Expecting value at line 1, column 1',
      ''
    ]
  ])('%s', async (_title, text, message, field) => {
    const expand = jest.fn(async () => {
      throw refusal(400, { message, field });
    });
    const error = await openView(text, VIEW_PATH, expand).catch(e => e);
    expect(error).toBeInstanceOf(ViewError);
    expect(error.field).toBe(field);
    expect(error.message).toBe(message);
  });

  it('passes other failures on as they are (no field to name)', async () => {
    const gone = refusal(404, { message: 'No view file at this path.' });
    await expect(
      openView(EXAMPLE, VIEW_PATH, jest.fn().mockRejectedValue(gone))
    ).rejects.toBe(gone);
    const offline = new ServerConnection.NetworkError(new TypeError('x'));
    await expect(
      openView(EXAMPLE, VIEW_PATH, jest.fn().mockRejectedValue(offline))
    ).rejects.toBe(offline);
  });

  it('refuses what JavaScript cannot read even when the server could (NaN)', () => {
    expect(() =>
      parseViewText('{"nbcompare": 1, "notebooks": ["a"], "x": NaN}')
    ).toThrow(ViewError);
    expect(() => parseViewText('[1]')).toThrow(/JSON object/);
    // A byte order mark is not an error (Python reads utf-8-sig too)
    expect(parseViewText('\uFEFF{"nbcompare": 1, "notebooks": ["a"]}')).toEqual(
      { nbcompare: 1, notebooks: ['a'] }
    );
  });
});

describe('round trip: view ↔ model state', () => {
  it('gives the same bytes back when nothing changed', async () => {
    const opened = await openView(EXAMPLE, VIEW_PATH, server());
    const model = modelFor(opened.paths, opened.state);
    expect(stateOfModel(model, opened.state.chart)).toEqual(opened.state);
    const text = viewText(
      opened.text,
      opened.view,
      opened.state,
      stateOfModel(model, opened.state.chart),
      { folder: opened.folder, baseline: null }
    );
    expect(text).toBe(EXAMPLE);
  });

  it('writes a new baseline relative to the view, and keeps every other field in place', async () => {
    const opened = await openView(EXAMPLE, VIEW_PATH, server());
    const model = modelFor(opened.paths, opened.state);
    void model.setBaseline('views/runs/b.ipynb'); // the request never answers here
    model.filter = 'ms';
    model.onlyDifferences = true;
    const text = viewText(
      opened.text,
      opened.view,
      opened.state,
      stateOfModel(model, opened.state.chart),
      { folder: opened.folder, baseline: null }
    );
    const saved = JSON.parse(text);
    expect(saved.baseline).toBe('runs/b.ipynb');
    expect(saved.filter).toBe('ms');
    expect(saved.only_differences).toBe(true);
    // group_by, sort, layout, chart, gates and unknown fields: unchanged, in order
    const original = JSON.parse(EXAMPLE);
    for (const field of [
      'notebooks',
      'names',
      'directions',
      'group_by',
      'sort',
      'layout',
      'chart',
      'gates',
      'x-my-notes'
    ]) {
      expect(saved[field]).toEqual(original[field]);
    }
    expect(Object.keys(saved)).toEqual(Object.keys(original));
    expect(text.endsWith('}\n')).toBe(true);

    // Reopened (the server resolves the new baseline), it is the same state
    const reopened = await openView(
      text,
      VIEW_PATH,
      server({ baseline: 'views/runs/b.ipynb' })
    );
    expect(reopened.state).toEqual(stateOfModel(model, opened.state.chart));
    const again = modelFor(reopened.paths, reopened.state);
    expect(again.baseline).toBe('views/runs/b.ipynb');
    expect(again.filter).toBe('ms');
    expect(again.onlyDifferences).toBe(true);
    expect(again.directions).toEqual({ margin: 'higher' });
    expect(again.names).toEqual(['mse', 'metrics']);
  });

  it('saves and reopens grouping, sort, layout and chart', async () => {
    const opened = await openView(EXAMPLE, VIEW_PATH, server());
    // the file's own values reach the model and the chart pane
    expect(opened.state.groupBy).toEqual(['model']);
    expect(opened.state.sort).toBe('mse');
    expect(opened.state.layout).toBe('columns');
    expect(opened.state.chart).toEqual({
      x: 'model_params.C',
      y: 'mse',
      color: 'model',
      logX: false
    });
    const model = modelFor(opened.paths, opened.state);
    expect(model.groupBy).toEqual(['model']);
    expect(model.sortBy).toBe('mse');
    // When the user groups by two parameters, sorts by a mapping's key (the
    // sort select gives a row id), shows runs as rows and picks a log-x chart
    void model.setGroupBy(['model', 'model_params.C']);
    model.sortBy = 'tag:metrics.r2';
    model.layout = 'rows';
    const chart = { x: 'alpha', y: 'metrics.r2', color: null, logX: true };
    const text = viewText(
      opened.text,
      opened.view,
      opened.state,
      stateOfModel(model, chart),
      { folder: opened.folder, baseline: null }
    );
    // Then the file says so in its own words
    const saved = JSON.parse(text);
    expect(saved.group_by).toEqual(['model', 'model_params.C']);
    expect(saved.sort).toEqual({ by: 'metrics.r2' });
    expect(saved.layout).toBe('rows');
    expect(saved.chart).toEqual({ x: 'alpha', y: 'metrics.r2', log_x: true });
    expect(saved.gates).toEqual(JSON.parse(EXAMPLE).gates);
    // And reopened, it is the same state, and a model built from it too
    const reopened = await openView(text, VIEW_PATH, server());
    expect(reopened.state).toEqual(stateOfModel(model, chart));
    const again = modelFor(reopened.paths, reopened.state);
    expect(again.groupBy).toEqual(['model', 'model_params.C']);
    expect(again.sortBy).toBe('metrics.r2');
    expect(again.layout).toBe('rows');
    // And closing the chart pane removes the chart, ungrouping the grouping
    void again.setGroupBy([]);
    again.layout = 'columns';
    const closed = JSON.parse(
      viewText(text, reopened.view, reopened.state, stateOfModel(again, null), {
        folder: reopened.folder,
        baseline: null
      })
    );
    expect(closed).not.toHaveProperty('chart');
    expect(closed).not.toHaveProperty('group_by');
    expect(closed).not.toHaveProperty('layout');
  });

  it('gives the original bytes back after a change and its undoing', async () => {
    const opened = await openView(EXAMPLE, VIEW_PATH, server());
    const model = modelFor(opened.paths, opened.state);
    const text = () =>
      viewText(
        opened.text,
        opened.view,
        opened.state,
        stateOfModel(model, opened.state.chart),
        {
          folder: opened.folder,
          baseline: null
        }
      );
    model.onlyDifferences = true;
    expect(text()).not.toBe(EXAMPLE);
    model.onlyDifferences = false;
    expect(text()).toBe(EXAMPLE);
  });

  it('removes a field that went back to its default, and adds one that was absent', async () => {
    const bare = '{"nbcompare": 1, "notebooks": ["*.ipynb"], "filter": "mse"}';
    const opened = await openView(
      bare,
      'a.nbcompare',
      server({ baseline: null })
    );
    const state = { ...opened.state, filter: '', onlyDifferences: true };
    const saved = JSON.parse(
      viewText(opened.text, opened.view, opened.state, state, {
        folder: '',
        baseline: null
      })
    );
    expect(saved).toEqual({
      nbcompare: 1,
      notebooks: ['*.ipynb'],
      only_differences: true
    });
  });

  it('sends the directions of a view with every compare request', async () => {
    const fetch = jest.fn().mockResolvedValue({
      baseline: 'a.ipynb',
      notebooks: [],
      values: []
    });
    const model = new CompareModel({
      ...modelOptions(['a.ipynb', 'b.ipynb'], {
        ...emptyViewState(),
        baseline: null,
        names: null,
        filter: '',
        onlyDifferences: false,
        directions: { margin: 'higher' }
      }),
      fetch
    });
    await model.refresh();
    expect(fetch.mock.calls[0][0].directions).toEqual({ margin: 'higher' });
    // and a model without any sends none (the server's rules apply)
    const plain = new CompareModel({ paths: ['a.ipynb'], fetch });
    await plain.refresh();
    expect(fetch.mock.calls[1][0]).not.toHaveProperty('directions');
  });
});

describe('a new view from a comparison on screen', () => {
  it('names the notebooks and the state relative to the folder it is saved in', () => {
    const text = newViewText(
      ['runs/a.ipynb', 'runs/b.ipynb', 'prod/p.ipynb'],
      {
        ...emptyViewState(),
        baseline: 'runs/b.ipynb',
        names: ['mse'],
        filter: '',
        onlyDifferences: true,
        directions: {}
      },
      'reports'
    );
    expect(JSON.parse(text)).toEqual({
      nbcompare: 1,
      notebooks: ['../runs/a.ipynb', '../runs/b.ipynb', '../prod/p.ipynb'],
      baseline: '../runs/b.ipynb',
      names: ['mse'],
      only_differences: true
    });
    // Read back in its folder, it is the same comparison
    const view = parseViewText(text);
    expect(
      readState(view, { folder: 'reports', baseline: 'runs/b.ipynb' })
    ).toEqual({
      ...emptyViewState(),
      baseline: 'runs/b.ipynb',
      names: ['mse'],
      filter: '',
      onlyDifferences: true,
      directions: {}
    });
  });
});
