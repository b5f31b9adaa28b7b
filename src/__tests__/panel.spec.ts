import { ServerConnection } from '@jupyterlab/services';
import { nullTranslator } from '@jupyterlab/translation';
import { Widget } from '@lumino/widgets';

import { CompareModel } from '../model';
import { ICompareResponse } from '../tokens';
import { ComparePanel } from '../widgets/ComparePanel';
import { A, B, C, response } from './fixtures';

jest.mock('../request', () => ({
  requestAPI: jest.fn(),
  serverURL: (url: string) => `/${url}`
}));

/** A panel over a model that answers `data`, attached to the document. */
async function panelOf(data: ICompareResponse, paths: string[]) {
  const model = new CompareModel({ paths, fetch: async () => data });
  const panel = new ComparePanel({
    paths,
    model,
    translator: nullTranslator,
    pollInterval: 0
  });
  Widget.attach(panel, document.body);
  await model.refresh();
  return { panel, model };
}

afterEach(() => {
  document.body.replaceChildren();
});

describe('ComparePanel (DOM)', () => {
  it('shows notebook text as text, never as markup', async () => {
    // Given a value whose name and text are markup
    const data = response();
    const evil = '<img src=x onerror="window.__pwned=1">';
    data.values.push({
      name: evil,
      origin: 'tag',
      kind: 'text',
      direction: null,
      differs: true,
      cells: { [A]: { kind: 'text', text: evil }, [B]: null, [C]: null }
    });
    const { panel } = await panelOf(data, [A, B, C]);
    // Then no element was created from it, and the text is visible as typed
    expect(panel.node.querySelector('img[src="x"]')).toBeNull();
    expect(panel.node.textContent).toContain(evil);
    panel.dispose();
  });

  it('renders only the columns in view for 200 notebooks', async () => {
    // Given 200 notebooks
    const paths = Array.from({ length: 200 }, (_, i) => `runs/r${i}.ipynb`);
    const data: ICompareResponse = {
      baseline: paths[0],
      notebooks: paths.map(path => ({
        path,
        last_modified: null,
        status: 'ok',
        error: null,
        duration: 1,
        parameters: { alpha: { value: 1, injected: true } }
      })),
      values: [
        {
          name: 'mse',
          origin: 'tag',
          kind: 'scalar',
          direction: 'lower',
          differs: true,
          cells: Object.fromEntries(
            paths.map((p, i) => [
              p,
              {
                kind: 'scalar',
                value: i,
                delta: i,
                rel_delta: null,
                better: null
              }
            ])
          )
        }
      ]
    };
    const { panel } = await panelOf(data, paths);
    // Then the header and each row hold a handful of cells, not 200
    const header = panel.node.querySelectorAll(
      '.jp-NbCompare-headerRow .jp-NbCompare-cell'
    );
    expect(header.length).toBeGreaterThan(0);
    expect(header.length).toBeLessThan(10);
    const mse = panel.node.querySelectorAll(
      '.jp-NbCompare-row[data-key="m:tag:mse"] .jp-NbCompare-cell'
    );
    expect(mse.length).toBe(header.length);
    // and the content is as wide as all the columns, so the scrollbar is truthful
    const content = panel.node.querySelector(
      '.jp-NbCompare-content'
    ) as HTMLElement;
    expect(content.style.width).toBe(`${200 + 200 * 260}px`);
    panel.dispose();
  });

  it('shows a readable error when the server fails, and a progress bar while loading', async () => {
    let fail!: (reason: Error) => void;
    const model = new CompareModel({
      paths: [A, B],
      fetch: () =>
        new Promise((_, reject) => {
          fail = reject;
        })
    });
    const panel = new ComparePanel({
      paths: [A, B],
      model,
      translator: nullTranslator,
      pollInterval: 0
    });
    Widget.attach(panel, document.body);
    // The panel started a request: progress is shown
    expect(panel.node.querySelector('[role="progressbar"]')).not.toBeNull();
    fail(new Error('Too many notebooks: 300 > 250'));
    await new Promise(resolve => setTimeout(resolve, 0));
    await new Promise(resolve => setTimeout(resolve, 0));
    const alert = panel.node.querySelector('[role="alert"]');
    expect(alert?.textContent).toContain('Too many notebooks: 300 > 250');
    expect(panel.node.querySelector('[role="progressbar"]')).toBeNull();
    panel.dispose();
  });

  it('toggles only differences with an aria-pressed button', async () => {
    const { panel, model } = await panelOf(response(), [A, B, C]);
    const toggle = panel.node.querySelector(
      '.jp-NbCompare-onlyDiff'
    ) as HTMLButtonElement;
    expect(toggle.getAttribute('aria-pressed')).toBe('false');
    toggle.click();
    expect(model.onlyDifferences).toBe(true);
    expect(toggle.getAttribute('aria-pressed')).toBe('true');
    expect(
      panel.node.querySelector('[data-key="v:tag:top_features"]')
    ).toBeNull();
    expect(
      panel.node.querySelector('[data-key="v:tag:summary"]')
    ).not.toBeNull();
    panel.dispose();
  });

  it('says the server could not be reached, and drops the message while retrying', async () => {
    // Given a server that cannot be reached, then answers
    let fail = true;
    let release: () => void = () => undefined;
    const model = new CompareModel({
      paths: [A, B, C],
      fetch: async () => {
        if (fail) {
          throw new ServerConnection.NetworkError(
            new TypeError('Failed to fetch')
          );
        }
        await new Promise<void>(resolve => (release = resolve));
        return response();
      }
    });
    const panel = new ComparePanel({
      paths: [A, B, C],
      model,
      translator: nullTranslator,
      pollInterval: 0
    });
    Widget.attach(panel, document.body);
    await model.refresh();
    const status = () =>
      panel.node.querySelector('.jp-NbCompare-statusBar')!.textContent;
    // Then the message says what happened in words people understand
    expect(status()).toBe('The server could not be reached: Failed to fetch');
    // and a new attempt shows its progress without the old failure
    fail = false;
    const next = model.refresh();
    expect(
      panel.node.querySelector('.jp-NbCompare-progress[role="progressbar"]')
    ).not.toBeNull();
    expect(status()).not.toContain('Failed to fetch');
    release();
    await next;
    panel.dispose();
  });
});
