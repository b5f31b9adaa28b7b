import { IRenderMime, RenderMimeRegistry } from '@jupyterlab/rendermime';
import { nullTranslator } from '@jupyterlab/translation';
import { Widget } from '@lumino/widgets';

import { VEGALITE_MIME, VegaLiteSpec } from '../charts';
import { restoreArgs } from '../commands';
import { CompareModel } from '../model';
import { ICompareResponse } from '../tokens';
import { defaultChart, notebookOfMark } from '../widgets/ChartPane';
import { ComparePanel } from '../widgets/ComparePanel';
import { A, B, C, response } from './fixtures';

jest.mock('../request', () => ({
  requestAPI: jest.fn(),
  serverURL: (url: string) => `/${url}`
}));

/**
 * Stands in for JupyterLab's Vega renderer (vega itself does not run in
 * jsdom): it keeps the spec it was given and draws one SVG path per data row
 * of a run, carrying the scenegraph item in `__data__` as vega's SVG
 * renderer does, so the pane's click handling sees what it sees in a browser.
 */
class FakeVega extends Widget implements IRenderMime.IRenderer {
  static specs: VegaLiteSpec[] = [];
  /** What happened, in order: `start <title>`, `end <title>`, `snapshot`. */
  static events: string[] = [];

  async renderModel(model: IRenderMime.IMimeModel): Promise<void> {
    const spec = model.data[VEGALITE_MIME] as VegaLiteSpec;
    FakeVega.specs.push(spec);
    FakeVega.events.push(`start ${spec.title.text}`);
    // Drawing takes time (Vega yields to the event loop while it runs)
    await new Promise(resolve => setTimeout(resolve, 1));
    const metadata = model.metadata[VEGALITE_MIME] as any;
    this.node.dataset.renderer = metadata?.embed_options?.renderer;
    const svg = document.createElementNS('http://www.w3.org/2000/svg', 'svg');
    const rows = spec.datasets.runs ?? spec.datasets.segments;
    for (const row of rows) {
      const path = document.createElementNS(
        'http://www.w3.org/2000/svg',
        'path'
      );
      (path as any).__data__ = { datum: row };
      path.setAttribute('role', 'graphics-symbol');
      svg.appendChild(path);
    }
    this.node.replaceChildren(svg);
    FakeVega.events.push(`end ${spec.title.text}`);
    // As JupyterLab's renderer does: without an image/png in the output, it
    // draws the chart again into a PNG to store beside the spec.
    if (!model.data['image/png']) {
      FakeVega.events.push('snapshot');
    }
  }
}

function registry(withVega: boolean): RenderMimeRegistry {
  return new RenderMimeRegistry({
    initialFactories: withVega
      ? [
          {
            safe: true,
            mimeTypes: [VEGALITE_MIME],
            createRenderer: () => new FakeVega()
          }
        ]
      : []
  });
}

async function panelOf(
  rendermime: RenderMimeRegistry | null,
  chart: any,
  data: ICompareResponse = response()
) {
  const paths = [A, B, C];
  const model = new CompareModel({ paths, fetch: async () => data });
  const panel = new ComparePanel({
    paths,
    model,
    translator: nullTranslator,
    pollInterval: 0,
    rendermime,
    chart
  });
  Widget.attach(panel, document.body);
  await model.refresh();
  await settle(panel);
  return { panel, model };
}

/** Let the pane's scheduled draw run and finish. */
async function settle(panel: ComparePanel): Promise<void> {
  await new Promise(resolve => setTimeout(resolve, 5));
  await panel.charts.whenDrawn();
}

beforeEach(() => {
  FakeVega.specs = [];
  FakeVega.events = [];
});

afterEach(() => {
  document.body.replaceChildren();
});

describe('ChartPane', () => {
  it('says so when the Vega-Lite renderer is disabled', async () => {
    // Given a registry without JupyterLab's vega5 renderer
    const { panel } = await panelOf(registry(false), { x: 'alpha', y: 'mse' });
    const message = panel.node.querySelector('.jp-NbCompare-chartMessage')!;
    // Then the pane tells, and draws nothing
    expect(message.getAttribute('data-state')).toBe('disabled');
    expect(message.textContent).toContain('@jupyterlab/vega5-extension');
    expect(panel.node.querySelectorAll('.jp-NbCompare-chart')).toHaveLength(0);
    panel.dispose();
  });

  it('draws both charts through the registry, as SVG, in theme colours', async () => {
    const { panel } = await panelOf(registry(true), {
      x: 'alpha',
      y: 'mse',
      color: 'model'
    });
    // The pane is shown, as the command asked
    expect(panel.charts.isHidden).toBe(false);
    expect(panel.chart).toEqual({ x: 'alpha', y: 'mse', color: 'model' });
    const hosts = panel.node.querySelectorAll<HTMLElement>(
      '.jp-NbCompare-chart'
    );
    expect(Array.from(hosts).map(h => h.dataset.chart)).toEqual([
      'scatter',
      'parallel'
    ]);
    // Each spec went to the renderer, asking for SVG
    const [scatter, parallel] = FakeVega.specs;
    expect(scatter.title.text).toBe('mse against alpha');
    expect(parallel.title.text).toBe('Parameters and mse');
    expect(
      hosts[0].querySelector('[data-renderer]')!.getAttribute('data-renderer')
    ).toBe('svg');
    // One point per ok run with an mse; the failed run is counted
    expect(scatter.datasets.runs.map((r: any) => r.notebook)).toEqual([A, B]);
    expect(scatter.usermeta.nbcompare.failed).toEqual([C]);
    // and the specs carry the theme's config (transparent background)
    expect(scatter.config.background).toBe('transparent');
    panel.dispose();
  });

  it('draws the scatter first, then the parallel coordinates, never a PNG', async () => {
    const frames = jest.spyOn(window, 'requestAnimationFrame');
    const { panel } = await panelOf(registry(true), { x: 'alpha', y: 'mse' });
    // The parallel coordinates start once the scatter is drawn and a frame
    // has passed (so it is painted); JupyterLab's renderer is not asked to
    // draw a PNG of either (the pane is never saved)
    expect(FakeVega.events).toEqual([
      'start mse against alpha',
      'end mse against alpha',
      'start Parameters and mse',
      'end Parameters and mse'
    ]);
    expect(frames).toHaveBeenCalled();
    const hosts = panel.node.querySelectorAll<HTMLElement>(
      '.jp-NbCompare-chart'
    );
    expect(Array.from(hosts).map(h => h.dataset.drawn)).toEqual([
      'true',
      'true'
    ]);
    expect(panel.charts.renderCount).toBe(1);
    frames.mockRestore();
    panel.dispose();
  });

  it('a click on a run reaches its column, highlighted', async () => {
    const { panel } = await panelOf(registry(true), { x: 'alpha', y: 'mse' });
    const marks = panel.node.querySelectorAll(
      '.jp-NbCompare-chart[data-chart="scatter"] path'
    );
    // When the point of B is clicked
    (marks[1] as SVGElement).dispatchEvent(
      new MouseEvent('click', { bubbles: true })
    );
    // Then B's column is highlighted, and only it
    const highlighted = Array.from(
      panel.node.querySelectorAll<HTMLElement>(
        '.jp-NbCompare-headerRow .jp-NbCompare-cell.jp-mod-highlighted'
      )
    ).map(cell => cell.dataset.path);
    expect(highlighted).toEqual([B]);
    expect(
      (document.activeElement as HTMLElement).closest<HTMLElement>(
        '.jp-NbCompare-cell'
      )?.dataset.path
    ).toBe(B);
    panel.dispose();
  });

  it('redraws with what the pickers choose', async () => {
    const { panel } = await panelOf(registry(true), { x: 'alpha', y: 'mse' });
    const x = panel.node.querySelector<HTMLSelectElement>(
      '.jp-NbCompare-chart-x'
    )!;
    const y = panel.node.querySelector<HTMLSelectElement>(
      '.jp-NbCompare-chart-y'
    )!;
    expect(x.value).toBe('param:alpha');
    expect(y.value).toBe('metric:mse');
    // y offers numbers only: text and sequences are not there
    expect(Array.from(y.options).map(o => o.value)).toEqual([
      'metric:mse',
      'metric:metrics.mse',
      'metric:metrics.r2',
      'metric:seed_used'
    ]);
    y.value = 'metric:metrics.r2';
    y.dispatchEvent(new Event('change'));
    const logX = panel.node.querySelector<HTMLInputElement>(
      '.jp-NbCompare-chartLogX'
    )!;
    logX.checked = true;
    logX.dispatchEvent(new Event('change'));
    await settle(panel);
    const scatter = FakeVega.specs[FakeVega.specs.length - 2];
    expect(scatter.title.text).toBe('metrics.r2 against alpha');
    expect(scatter.layer[0].encoding.x.scale).toEqual({ type: 'log' });
    expect(panel.chart).toEqual({
      x: 'alpha',
      y: 'metric:metrics.r2',
      logX: true
    });
    // and a reload reopens the pane with that chart
    expect(restoreArgs(panel).chart).toEqual(panel.chart);
    panel.dispose();
  });

  it('shows a name it does not know as an error, naming the known ones', async () => {
    const { panel } = await panelOf(registry(true), { x: 'alpha', y: 'nope' });
    const message = panel.node.querySelector('.jp-NbCompare-chartMessage')!;
    expect(message.getAttribute('data-state')).toBe('error');
    expect(message.textContent).toContain('metrics: mse, metrics.mse');
    panel.dispose();
  });

  it('stays hidden, drawing nothing, until the toolbar shows it', async () => {
    const { panel } = await panelOf(registry(true), null);
    expect(panel.charts.isHidden).toBe(true);
    expect(panel.chart).toBeNull();
    expect(FakeVega.specs).toHaveLength(0);
    const toggle = panel.node.querySelector<HTMLButtonElement>(
      '.jp-NbCompare-chartsToggle'
    )!;
    expect(toggle.getAttribute('aria-pressed')).toBe('false');
    toggle.click();
    await settle(panel);
    expect(toggle.getAttribute('aria-pressed')).toBe('true');
    // A default chart: the first metric against the parameter that varies,
    // on a log scale as alpha spans 0.1 to 1000
    expect(panel.chart).toEqual({
      x: 'param:alpha',
      y: 'metric:mse',
      color: null,
      logX: true
    });
    expect(FakeVega.specs.length).toBeGreaterThan(0);
    panel.dispose();
  });

  it('is restored shown when shown with the toggle alone, before it has a chart', async () => {
    // Given a panel whose pane was never shown: a reload keeps it hidden
    const { panel } = await panelOf(registry(true), null);
    expect(restoreArgs(panel)).toEqual({ paths: [A, B, C] });
    const toggled: boolean[] = [];
    panel.chartToggled.connect((_, shown) => toggled.push(shown));
    // When the toolbar shows it (the default chart is not worked out yet)
    panel.node
      .querySelector<HTMLButtonElement>('.jp-NbCompare-chartsToggle')!
      .click();
    expect(toggled).toEqual([true]);
    expect(panel.chart).toBeNull();
    // Then a reload is asked to show the pane
    const args = restoreArgs(panel);
    expect(args).toEqual({ paths: [A, B, C], charts: true });
    // and a panel opened with those arguments shows it, with the default chart
    const paths = [A, B, C];
    const model = new CompareModel({ paths, fetch: async () => response() });
    const restored = new ComparePanel({
      paths,
      model,
      translator: nullTranslator,
      pollInterval: 0,
      rendermime: registry(true),
      showCharts: args.charts
    });
    Widget.attach(restored, document.body);
    await model.refresh();
    await settle(restored);
    expect(restored.charts.isHidden).toBe(false);
    expect(restored.chartsShown).toBe(true);
    expect(
      restored.node
        .querySelector('.jp-NbCompare-chartsToggle')!
        .getAttribute('aria-pressed')
    ).toBe('true');
    expect(restored.chart).toEqual({
      x: 'param:alpha',
      y: 'metric:mse',
      color: null,
      logX: true
    });
    expect(
      restored.node.querySelectorAll('.jp-NbCompare-chart[data-chart]')
    ).toHaveLength(2);
    // once drawn, its chart is what a reload asks for
    expect(restoreArgs(restored)).toEqual({
      paths,
      chart: restored.chart
    });
    // and hiding it again forgets it
    restored.toggleCharts(false);
    expect(restoreArgs(restored)).toEqual({ paths });
    restored.dispose();
    panel.dispose();
  });
});

describe('defaultChart', () => {
  it('is null without a number to plot', () => {
    expect(defaultChart({ ...response(), values: [] })).toBeNull();
  });
});

describe('notebookOfMark', () => {
  const paths = [A, B];
  it('reads the scenegraph item vega keeps on the element', () => {
    const el = document.createElement('div') as any;
    el.__data__ = { datum: { notebook: B } };
    expect(notebookOfMark(el, paths)).toBe(B);
    // a line: vega keeps its items as an array
    el.__data__ = [{ datum: { notebook: A } }, { datum: { notebook: A } }];
    expect(notebookOfMark(el, paths)).toBe(A);
  });

  it('falls back to the accessible name, and ignores other marks', () => {
    const el = document.createElement('div') as any;
    el.setAttribute('aria-label', A);
    expect(notebookOfMark(el, paths)).toBe(A);
    el.setAttribute('aria-label', 'model=ridge');
    el.__data__ = { datum: { group: 'model=ridge' } };
    expect(notebookOfMark(el, paths)).toBeNull();
    expect(notebookOfMark(null, paths)).toBeNull();
  });
});
