import { Contents } from '@jupyterlab/services';
import { nullTranslator } from '@jupyterlab/translation';
import { Signal } from '@lumino/signaling';
import { Widget } from '@lumino/widgets';

import { IExportRequest, IExportSaver } from '../exportsaver';
import { CompareModel } from '../model';
import { ComparePanel } from '../widgets/ComparePanel';
import { A, B, C, response } from './fixtures';

jest.mock('../request', () => ({
  requestAPI: jest.fn(),
  serverURL: (url: string) => `/${url}`
}));

/** A saver that records what the panel asks and saves nothing. */
class RecordingSaver implements IExportSaver {
  folder: string | null = null;
  requests: IExportRequest[] = [];
  async save(request: IExportRequest): Promise<Contents.IModel | null> {
    this.requests.push(request);
    return null; // as if the user cancelled
  }
}

const contents = {
  fileChanged: new Signal<unknown, Contents.IChangedArgs>({})
} as unknown as Contents.IManager;

async function panelOf(model: CompareModel, saver: IExportSaver) {
  const panel = new ComparePanel({
    paths: model.paths,
    model,
    translator: nullTranslator,
    pollInterval: 0,
    contents,
    saver,
    canSaveView: true
  });
  Widget.attach(panel, document.body);
  await model.refresh();
  return panel;
}

/** The view text the panel would save in `folder`. */
async function savedView(request: IExportRequest, folder: string) {
  const model = await request.content(folder);
  return JSON.parse(model.content as string);
}

afterEach(() => {
  document.body.replaceChildren();
});

describe('"Save View As…" of an ad-hoc comparison', () => {
  it('writes the baseline on screen, even one that came from the pin', async () => {
    // Given a comparison whose baseline is the pinned notebook (not chosen in the panel)
    const model = new CompareModel({
      paths: [A, B, C],
      pinned: B,
      fetch: async () => response()
    });
    expect(model.requestedBaseline).toBeNull();
    const saver = new RecordingSaver();
    const panel = await panelOf(model, saver);
    // When the user saves the view
    (
      panel.node.querySelector('.jp-NbCompare-export-view') as HTMLElement
    ).click();
    await new Promise(resolve => setTimeout(resolve, 0));
    // Then the saver is asked for a .nbcompare in the baseline's folder,
    // offering to keep the folder, and the view names the pinned baseline
    const [request] = saver.requests;
    expect(request).toMatchObject({
      extension: 'nbcompare',
      stem: 'comparison',
      offerRemember: true
    });
    const view = await savedView(request, 'reports');
    expect(view.baseline).toBe(`../${B}`);
    expect(view.notebooks).toEqual([A, B, C].map(path => `../${path}`));
    panel.dispose();
  });

  it('leaves the baseline out when it is the first notebook (the default)', async () => {
    const model = new CompareModel({
      paths: [A, B],
      fetch: async () => response()
    });
    const saver = new RecordingSaver();
    const panel = await panelOf(model, saver);
    (
      panel.node.querySelector('.jp-NbCompare-export-view') as HTMLElement
    ).click();
    await new Promise(resolve => setTimeout(resolve, 0));
    const view = await savedView(saver.requests[0], '');
    expect(view).toEqual({ nbcompare: 1, notebooks: [A, B] });
    panel.dispose();
  });
});
