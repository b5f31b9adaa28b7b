import { Context, TextModelFactory } from '@jupyterlab/docregistry';
import { ServiceManagerMock } from '@jupyterlab/services/lib/testutils';
import { nullTranslator } from '@jupyterlab/translation';
import { Widget } from '@lumino/widgets';

import { ViewError } from '../documents/adapter';
import { IViewExpandRequest, ViewExpander } from '../documents/expand';
import { ViewContent } from '../documents/ViewDocument';
import { ICompareRequest, ICompareResponse } from '../tokens';

jest.mock('../request', () => {
  const actual = jest.requireActual('../request');
  return {
    ...actual,
    requestAPI: jest.fn(),
    serverURL: (url: string) => `/${url}`
  };
});

const PATH = 'views/sweep.nbcompare';
const A = 'runs/a.ipynb';
const B = 'runs/b.ipynb';
const C = 'runs/c.ipynb';

const TEXT = `{
  "nbcompare": 1,
  "notebooks": ["../runs/*.ipynb"],
  "group_by": ["model"],
  "chart": {"x": "model_params.C", "y": "mse"},
  "x-notes": "mine"
}
`;

/** The in-memory server: the file, and what the patterns match now. */
class FakeServer {
  matches = [A, B];
  refuse: { field: string; message: string } | null = null;
  expansions = 0;

  expand: ViewExpander = async (request: IViewExpandRequest) => {
    this.expansions++;
    if (this.refuse) {
      throw new ViewError(this.refuse.field, this.refuse.message);
    }
    const view = JSON.parse(request.view);
    const baseline = view.baseline
      ? `runs/${view.baseline.split('/').pop()}`
      : null;
    return { notebooks: [...this.matches], baseline, truncated: null };
  };

  compare = async (request: ICompareRequest): Promise<ICompareResponse> => ({
    baseline: request.baseline ?? request.paths[0],
    notebooks: request.paths.map(path => ({
      path,
      last_modified: null,
      status: 'ok',
      error: null,
      duration: null,
      parameters: {}
    })),
    values: []
  });
}

/**
 * A document on `text` as the document manager opens it, with its view
 * content: the widget is built first, then the context initialised (which
 * sets the model's text before the context is ready).
 */
async function open(text: string, server: FakeServer, reloadDelay = 0) {
  const manager = new ServiceManagerMock();
  await manager.contents.save('views', { type: 'directory' });
  await manager.contents.save(PATH, {
    type: 'file',
    format: 'text',
    content: text
  });
  const context = new Context({
    manager,
    factory: new TextModelFactory(),
    path: PATH
  });
  const content = new ViewContent({
    context,
    translator: nullTranslator,
    expand: server.expand,
    fetch: server.compare,
    panel: { pollInterval: 0 },
    reloadDelay
  });
  Widget.attach(content, document.body);
  await context.initialize(false);
  await content.ready;
  const stored = async () =>
    (await manager.contents.get(PATH, { content: true })).content as string;
  return { context, content, stored };
}

/** Let pending promises and zero timers run. */
async function settle(): Promise<void> {
  for (let i = 0; i < 5; i++) {
    await new Promise(resolve => setTimeout(resolve, 0));
  }
}

afterEach(() => {
  document.body.replaceChildren();
});

describe('a .nbcompare document', () => {
  it('opens the panel on the notebooks its patterns match, clean', async () => {
    const server = new FakeServer();
    const { context, content } = await open(TEXT, server);
    expect(content.error).toBeNull();
    expect(content.panel?.paths).toEqual([A, B]);
    expect(content.node.dataset.state).toBe('ready');
    expect(context.model.dirty).toBe(false);
    expect(context.model.toString()).toBe(TEXT);
  });

  it('a change of baseline marks it dirty, saving writes it, reopening shows it', async () => {
    const server = new FakeServer();
    const { context, content, stored } = await open(TEXT, server);
    // When the user sets b as the baseline
    await content.panel!.model.setBaseline(B);
    // Then the document holds the new view, relative to its folder, and is dirty
    const changed = JSON.parse(context.model.toString());
    expect(changed.baseline).toBe('../runs/b.ipynb');
    expect(changed.group_by).toEqual(['model']);
    expect(changed.chart).toEqual({ x: 'model_params.C', y: 'mse' });
    expect(changed['x-notes']).toBe('mine');
    expect(context.model.dirty).toBe(true);
    expect(await stored()).toBe(TEXT); // nothing written before Ctrl+S
    // When it is saved (Ctrl+S)
    await context.save();
    expect(context.model.dirty).toBe(false);
    expect(await stored()).toBe(context.model.toString());
    // Then a new document on the saved file has the same baseline
    const again = await open(await stored(), server);
    expect(again.content.panel!.model.baseline).toBe(B);
    expect(again.content.panel!.model.requestedBaseline).toBe(B);
    expect(again.context.model.dirty).toBe(false);
  });

  it('is clean again when a change is undone in the panel', async () => {
    const { context, content } = await open(TEXT, new FakeServer());
    content.panel!.model.onlyDifferences = true;
    expect(context.model.dirty).toBe(true);
    content.panel!.model.onlyDifferences = false;
    expect(context.model.toString()).toBe(TEXT);
    expect(context.model.dirty).toBe(false);
  });

  it('a malformed view shows the field at fault and is never written', async () => {
    // Given a view the server refuses
    const server = new FakeServer();
    server.refuse = { field: 'notebooks[0]', message: 'expected a string' };
    const bad = '{"nbcompare": 1, "notebooks": [3]}';
    const { context, content, stored } = await open(bad, server);
    // Then the document shows an alert naming the field, and no panel
    expect(content.panel).toBeNull();
    expect(content.error).toBeInstanceOf(ViewError);
    const alert = content.node.querySelector('[role="alert"]')!;
    expect(alert.getAttribute('data-field')).toBe('notebooks[0]');
    expect(alert.textContent).toContain('notebooks[0]: expected a string');
    expect(content.node.dataset.state).toBe('error');
    // And the document is untouched: same text, clean, same bytes stored
    await settle();
    expect(context.model.toString()).toBe(bad);
    expect(context.model.dirty).toBe(false);
    expect(await stored()).toBe(bad);
  });

  it('opens again when the text changes under it (revert, a collaborator)', async () => {
    const server = new FakeServer();
    const { context, content } = await open(TEXT, server);
    const first = content.panel;
    // When someone else's edit sets a baseline and a filter
    const edited = JSON.stringify({
      nbcompare: 1,
      notebooks: ['../runs/*.ipynb'],
      baseline: '../runs/b.ipynb',
      filter: 'mse'
    });
    context.model.sharedModel.setSource(edited);
    await settle();
    // Then the panel is rebuilt on it, and the document keeps their text
    expect(content.panel).not.toBe(first);
    expect(content.panel!.model.baseline).toBe(B);
    expect(content.panel!.model.filter).toBe('mse');
    expect(context.model.toString()).toBe(edited);
    // And an edit that breaks it shows the error, writing nothing
    server.refuse = { field: '', message: 'not valid JSON' };
    context.model.sharedModel.setSource('{');
    await settle();
    expect(content.panel).toBeNull();
    expect(context.model.toString()).toBe('{');
  });

  it('opens once: the text set while the context initialises is not a change', async () => {
    const server = new FakeServer();
    const { content } = await open(TEXT, server);
    const first = content.panel;
    await settle();
    expect(server.expansions).toBe(1);
    expect(content.panel).toBe(first);
  });

  it('tries again on Reload from Disk after an opening failed', async () => {
    // Given a view whose opening failed for a passing reason
    const server = new FakeServer();
    server.refuse = { field: '', message: 'the server is restarting' };
    const { context, content } = await open(TEXT, server);
    expect(content.panel).toBeNull();
    // When the cause has passed and the user reloads the same bytes
    server.refuse = null;
    await context.revert();
    await settle();
    // Then the view opens
    expect(content.error).toBeNull();
    expect(content.panel?.paths).toEqual([A, B]);
  });

  it("a collaborator's edit wins over a panel change made before it is opened", async () => {
    // Given an open view that reloads 50 ms after a change of its text
    const server = new FakeServer();
    const { context, content } = await open(TEXT, server, 50);
    const first = content.panel!;
    // When someone else's edit arrives and, before it is opened, the user
    // changes the panel
    const edited = JSON.stringify({
      nbcompare: 1,
      notebooks: ['../runs/*.ipynb'],
      filter: 'mse'
    });
    context.model.sharedModel.setSource(edited);
    first.model.onlyDifferences = true;
    // Then the document keeps their text, and the panel is rebuilt on it
    expect(context.model.toString()).toBe(edited);
    await new Promise(resolve => setTimeout(resolve, 80));
    await settle();
    expect(content.panel).not.toBe(first);
    expect(content.panel!.model.filter).toBe('mse');
    expect(context.model.toString()).toBe(edited);
  });

  it('keeps its panel when the same text is set again (a revert from disk)', async () => {
    // Given an open view whose panel the user is working in
    const { context, content } = await open(TEXT, new FakeServer());
    const first = content.panel;
    // When the document's model announces the text it already holds
    await context.revert();
    context.model.sharedModel.setSource(TEXT);
    await settle();
    // Then the panel is the same one (a rebuild would lose dialogs and focus)
    expect(content.panel).toBe(first);
    expect(content.panel!.isDisposed).toBe(false);
    expect(context.model.dirty).toBe(false);
  });

  it('a refresh picks up new runs and keeps the state', async () => {
    const server = new FakeServer();
    const { context, content } = await open(TEXT, server);
    await content.panel!.model.setBaseline(B);
    const text = context.model.toString();
    // When a new run matches and the user refreshes
    server.matches = [A, B, C];
    await content.panel!.model.refresh();
    await settle();
    // Then the panel compares it too, against the same baseline
    expect(content.panel!.paths).toEqual([A, B, C]);
    expect(content.panel!.model.baseline).toBe(B);
    expect(context.model.toString()).toBe(text);
  });

  it('a view whose patterns match nothing yet says so', async () => {
    const server = new FakeServer();
    server.matches = [];
    const { content } = await open(TEXT, server);
    expect(content.panel).toBeNull();
    expect(content.node.dataset.state).toBe('empty');
    // and looking again once the runs exist opens the panel
    server.matches = [A];
    (
      content.node.querySelector('.jp-NbCompare-viewReload') as HTMLElement
    ).click();
    await settle();
    expect(content.panel?.paths).toEqual([A]);
  });
});
