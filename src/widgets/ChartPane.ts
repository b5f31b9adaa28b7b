/**
 * The chart pane of a comparison panel: a scatter of a metric against a
 * parameter (or another metric) and parallel coordinates over the
 * parameters and that metric, drawn by JupyterLab's own Vega-Lite renderer
 * (the vega5-extension, through `IRenderMimeRegistry`): the extension ships
 * no charting library. The specs come from `charts.ts`; this view only picks
 * the fields, themes the specs and turns a click on a run into its column.
 */
import { IRenderMimeRegistry, MimeModel } from '@jupyterlab/rendermime';
import { TranslationBundle } from '@jupyterlab/translation';
import { LabIcon } from '@jupyterlab/ui-components';
import { Message } from '@lumino/messaging';
import { ISignal, Signal } from '@lumino/signaling';
import { Panel, PanelLayout, Widget } from '@lumino/widgets';

import {
  chartFields,
  IChartField,
  IChartOptions,
  IChartPalette,
  parallelSpec,
  resolveField,
  scatterSpec,
  VegaLiteSpec,
  VEGALITE_MIME
} from '../charts';
import { flatParameters } from '../delta';
import { CompareModel } from '../model';
import { ICompareResponse } from '../tokens';
import { h } from './dom';

/** Options of a {@link ChartPane}. */
export interface IChartPaneOptions {
  model: CompareModel;
  trans: TranslationBundle;
  rendermime: IRenderMimeRegistry | null;
  /** What to plot first; worked out from the answer when absent. */
  chart?: IChartOptions | null;
  /** A run's mark was clicked: show its column. */
  onSelect: (path: string) => void;
}

/** The icon of the "Charts" toggle: a few points over two axes. */
export const chartIcon = new LabIcon({
  name: 'jupyterlab-nbcompare:charts',
  svgstr: `<svg xmlns="http://www.w3.org/2000/svg" width="16" height="16" viewBox="0 0 24 24">
  <g class="jp-icon3" fill="#616161">
    <path d="M3 3h2v16h16v2H3z"/>
    <circle cx="9" cy="14" r="2"/><circle cx="13" cy="9" r="2"/>
    <circle cx="17" cy="12" r="2"/><circle cx="19" cy="6" r="2"/>
  </g>
</svg>`
});

/** The two charts of the pane, in the order they are shown. */
export const CHART_KINDS = ['scatter', 'parallel'] as const;

/** Embed options: SVG (marks are elements with roles), no action menu. */
const EMBED_OPTIONS = { renderer: 'svg', actions: false };

/**
 * JupyterLab's Vega renderer, once a chart is drawn, draws it a second time
 * into a PNG (`view.toImageURL`) to keep in the output beside the spec, unless
 * the output already has an `image/png`. The pane's charts are never saved,
 * so they carry a placeholder (a transparent pixel) that skips the second
 * drawing and the PNG encoding: on 1,000 runs that is a large share of the
 * drawing time (benchmarks/ui/README.md).
 */
export const SNAPSHOT_MIME = 'image/png';
const NO_SNAPSHOT =
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=';

/** Wait until the browser has painted what is in the DOM now. */
function nextPaint(): Promise<void> {
  return new Promise(resolve =>
    requestAnimationFrame(() => setTimeout(resolve, 0))
  );
}

/**
 * The pane's default chart for an answer: the first metric against the
 * first parameter that varies (numbers first), coloured by the next one.
 * Null when there is no metric to plot.
 */
export function defaultChart(answer: ICompareResponse): IChartOptions | null {
  const { parameters, metrics } = chartFields(answer);
  if (metrics.length === 0) {
    return null;
  }
  const values = (field: IChartField) =>
    answer.notebooks.map(nb => {
      return JSON.stringify(flatParameters(nb)[field.name]?.value ?? null);
    });
  const varying = parameters.filter(f => new Set(values(f)).size > 1);
  const numeric = varying.filter(f =>
    answer.notebooks.every(nb => {
      const value = flatParameters(nb)[f.name]?.value;
      return value === undefined || value === null || typeof value === 'number';
    })
  );
  const x =
    numeric[0] ?? varying[0] ?? parameters[0] ?? metrics[1] ?? metrics[0];
  const color = varying.find(f => f !== x) ?? null;
  // A parameter swept over decades (0.1 ... 100) reads best on a log scale.
  const xs = numeric.includes(x)
    ? answer.notebooks
        .map(nb => flatParameters(nb)[x.name]?.value)
        .filter((v): v is number => typeof v === 'number')
    : [];
  const logX =
    xs.length > 0 &&
    xs.every(v => v > 0) &&
    Math.max(...xs) / Math.min(...xs) >= 100;
  return {
    x: `${x.kind}:${x.label}`,
    y: `metric:${metrics[0].label}`,
    color: color ? `param:${color.label}` : null,
    logX
  };
}

/**
 * The notebook of the mark an event hit: vega keeps each SVG element's
 * scenegraph item in `__data__` (its own event handling reads it there); the
 * accessible name (`aria-label`, the spec's `description` channel) is the
 * fallback. Null for anything but a run's mark.
 */
export function notebookOfMark(
  target: EventTarget | null,
  paths: readonly string[]
): string | null {
  const element = target as (Element & { __data__?: unknown }) | null;
  if (!element || typeof element.getAttribute !== 'function') {
    return null;
  }
  const data = element.__data__;
  const item = (Array.isArray(data) ? data[0] : data) as
    { datum?: { notebook?: unknown } } | undefined;
  const notebook = item?.datum?.notebook;
  if (typeof notebook === 'string' && paths.includes(notebook)) {
    return notebook;
  }
  const label = element.getAttribute('aria-label');
  return label !== null && paths.includes(label) ? label : null;
}

/**
 * Vega-Lite colours from the JupyterLab theme (`--jp-*`), so the charts sit
 * on the panel's background in light and dark themes alike.
 */
export function themePalette(element: Element = document.body): IChartPalette {
  const style = getComputedStyle(element);
  const css = (name: string, fallback: string) =>
    style.getPropertyValue(name).trim() || fallback;
  const foreground = css('--jp-ui-font-color1', '#555555');
  const muted = css('--jp-ui-font-color2', '#999999');
  const border = css('--jp-border-color2', '#cccccc');
  const font = css('--jp-ui-font-family', 'sans-serif');
  return {
    foreground,
    muted,
    config: {
      background: 'transparent',
      font,
      view: { stroke: border },
      axis: {
        labelColor: foreground,
        titleColor: foreground,
        domainColor: muted,
        tickColor: muted,
        gridColor: border
      },
      legend: { labelColor: foreground, titleColor: foreground },
      title: { color: foreground, subtitleColor: muted },
      style: {
        'guide-label': { fill: foreground },
        'guide-title': { fill: foreground }
      }
    }
  };
}

/**
 * The chart pane: three pickers (x, y, colour), a log-x switch and the two
 * charts. It redraws when the answer, the choice or the theme changes.
 */
export class ChartPane extends Widget {
  constructor(options: IChartPaneOptions) {
    super();
    this._options = options;
    this._chart = options.chart ? { ...options.chart } : null;
    const { trans } = options;
    this.addClass('jp-NbCompare-charts');
    this.node.setAttribute('role', 'region');
    this.node.setAttribute('aria-label', trans.__('Charts'));

    this._x = this._select('x', trans.__('X'));
    this._y = this._select('y', trans.__('Y'));
    this._color = this._select('color', trans.__('Colour'));
    this._logX = h('input', {
      className: 'jp-NbCompare-chartLogX',
      attrs: { type: 'checkbox' }
    });
    this._logX.addEventListener('change', () =>
      this._update({ logX: this._logX.checked })
    );
    const controls = h('div', { className: 'jp-NbCompare-chartControls' }, [
      this._x.parentElement,
      this._y.parentElement,
      this._color.parentElement,
      h('label', { className: 'jp-NbCompare-chartControl' }, [
        this._logX,
        h('span', { text: trans.__('Log x') })
      ])
    ]);
    this._message = h('div', {
      className: 'jp-NbCompare-chartMessage',
      attrs: { role: 'status' }
    });
    // The renderers are Lumino children, so that they are detached and
    // disposed with the pane.
    this._hosts = new Panel();
    this._hosts.addClass('jp-NbCompare-chartHosts');
    const layout = (this.layout = new PanelLayout());
    layout.addWidget(new Widget({ node: controls }));
    layout.addWidget(new Widget({ node: this._message }));
    layout.addWidget(this._hosts);
    this._hosts.node.addEventListener('click', event => {
      const path = notebookOfMark(event.target, options.model.paths);
      if (path) {
        options.onSelect(path);
      }
    });
    options.model.changed.connect(this._onModelChanged, this);
  }

  /** What the pane plots (null before an answer gives a default). */
  get chart(): IChartOptions | null {
    return this._chart ? { ...this._chart } : null;
  }

  /** Emitted when the user picks another field or toggles log x. */
  get chartChanged(): ISignal<this, IChartOptions> {
    return this._chartChanged;
  }

  /** How many times the charts were drawn (read by tests). */
  get renderCount(): number {
    return this._renderCount;
  }

  /** The draw in progress, or the last one (tests wait for it). */
  whenDrawn(): Promise<void> {
    return this._drawn;
  }

  /** Plot something else. */
  setChart(chart: IChartOptions): void {
    this._chart = { ...chart };
    this._scheduleRender();
  }

  /** Draw the charts again (an answer, a choice or the theme changed). */
  async render(): Promise<void> {
    const ticket = ++this._ticket;
    const { model, rendermime, trans } = this._options;
    const data = model.data;
    this._clearCharts();
    this._message.textContent = '';
    this._message.removeAttribute('data-state');
    if (!data) {
      this._setMessage('waiting', trans.__('Waiting for the comparison…'));
      return;
    }
    if (!this._chart) {
      this._chart = defaultChart(data);
    }
    this._syncControls(data);
    if (!this._chart) {
      this._setMessage(
        'empty',
        trans.__('No notebook carries a number to plot.')
      );
      return;
    }
    if (!rendermime || !rendermime.mimeTypes.includes(VEGALITE_MIME)) {
      this._setMessage(
        'disabled',
        trans.__(
          "Charts need JupyterLab's Vega-Lite renderer (the @jupyterlab/vega5-extension plugin), which is disabled. Enable it to see the charts."
        )
      );
      return;
    }
    const palette = themePalette(this.node);
    let specs: [string, VegaLiteSpec][];
    try {
      specs = [
        ['scatter', scatterSpec(data, this._chart, palette)],
        ['parallel', parallelSpec(data, this._chart, palette)]
      ];
    } catch (reason) {
      this._setMessage('error', (reason as Error).message);
      return;
    }
    // Both hosts are laid out at once (the pane does not jump), then the
    // charts are drawn one after the other, the scatter first and painted
    // before the parallel coordinates start: on a sweep of 1,000 runs each
    // takes a few hundred milliseconds of Vega's work on the main thread.
    const draws: (() => Promise<void>)[] = [];
    for (const [kind, spec] of specs) {
      const host = new Panel();
      host.addClass('jp-NbCompare-chart');
      host.node.dataset.chart = kind;
      host.node.dataset.runs = String(spec.usermeta.nbcompare.runs);
      const renderer = rendermime.createRenderer(VEGALITE_MIME);
      host.addWidget(renderer);
      this._hosts.addWidget(host);
      const mimeModel = new MimeModel({
        data: { [VEGALITE_MIME]: spec, [SNAPSHOT_MIME]: NO_SNAPSHOT },
        metadata: { [VEGALITE_MIME]: { embed_options: EMBED_OPTIONS } }
      });
      draws.push(() =>
        renderer.renderModel(mimeModel).then(
          () => {
            host.node.dataset.drawn = 'true';
          },
          reason => {
            host.node.textContent = trans.__(
              'This chart could not be drawn: %1',
              String((reason as Error)?.message ?? reason)
            );
          }
        )
      );
    }
    for (const [index, draw] of draws.entries()) {
      if (index > 0) {
        await nextPaint();
      }
      if (ticket !== this._ticket || this.isDisposed) {
        return;
      }
      await draw();
    }
    if (ticket === this._ticket) {
      this._renderCount++;
      this.node.dataset.renderCount = String(this._renderCount);
    }
  }

  dispose(): void {
    if (this.isDisposed) {
      return;
    }
    this._observer?.disconnect();
    window.clearTimeout(this._timer);
    this._clearCharts();
    this._options.model.changed.disconnect(this._onModelChanged, this);
    Signal.clearData(this);
    super.dispose();
  }

  protected onAfterAttach(msg: Message): void {
    super.onAfterAttach(msg);
    // The theme is read when drawing: draw again when it changes.
    this._observer = new MutationObserver(() => this._scheduleRender());
    this._observer.observe(document.body, {
      attributes: true,
      attributeFilter: ['data-jp-theme-light', 'data-jp-theme-name']
    });
    this._scheduleRender();
  }

  protected onAfterShow(msg: Message): void {
    super.onAfterShow(msg);
    this._scheduleRender();
  }

  protected onBeforeDetach(msg: Message): void {
    this._observer?.disconnect();
    this._observer = null;
    super.onBeforeDetach(msg);
  }

  private _onModelChanged(_: CompareModel, change: string): void {
    if (change === 'data') {
      this._scheduleRender();
    }
  }

  private _scheduleRender(): void {
    window.clearTimeout(this._timer);
    this._timer = window.setTimeout(() => {
      // A hidden pane draws nothing until it is shown.
      if (!this.isDisposed && this.isVisible) {
        this._drawn = this.render();
      }
    }, 0);
  }

  private _update(change: Partial<IChartOptions>): void {
    if (!this._chart) {
      return;
    }
    this._chart = { ...this._chart, ...change };
    this._chartChanged.emit(this.chart!);
    this._scheduleRender();
  }

  private _setMessage(state: string, text: string): void {
    this._message.dataset.state = state;
    this._message.textContent = text;
  }

  private _clearCharts(): void {
    for (const host of [...this._hosts.widgets]) {
      host.dispose();
    }
  }

  private _select(
    which: 'x' | 'y' | 'color',
    label: string
  ): HTMLSelectElement {
    const select = h('select', {
      className: `jp-NbCompare-chartSelect jp-NbCompare-chart-${which}`
    });
    select.addEventListener('change', () => {
      const value = select.value;
      this._update(
        which === 'color' ? { color: value || null } : { [which]: value }
      );
    });
    h('label', { className: 'jp-NbCompare-chartControl' }, [
      h('span', { text: label }),
      select
    ]);
    return select;
  }

  /** Fill the pickers with the answer's fields and show the current choice. */
  private _syncControls(data: ICompareResponse): void {
    const { trans } = this._options;
    const { parameters, metrics } = chartFields(data);
    const key = (
      text: string | null | undefined,
      prefer: 'param' | 'metric'
    ) => {
      if (!text) {
        return '';
      }
      try {
        const field = resolveField(data, text, prefer);
        return `${field.kind}:${field.label}`;
      } catch {
        return '';
      }
    };
    const fill = (
      select: HTMLSelectElement,
      value: string,
      groups: [string, IChartField[]][],
      none: string | null
    ) => {
      const nodes: HTMLElement[] = [];
      if (none !== null) {
        nodes.push(h('option', { text: none, attrs: { value: '' } }));
      }
      for (const [title, fields] of groups) {
        if (fields.length === 0) {
          continue;
        }
        const group = h('optgroup', { attrs: { label: title } });
        for (const field of fields) {
          group.appendChild(
            h('option', {
              text: field.label,
              attrs: { value: `${field.kind}:${field.label}` }
            })
          );
        }
        nodes.push(group);
      }
      select.replaceChildren(...nodes);
      select.value = value;
    };
    const params: [string, IChartField[]] = [
      trans.__('Parameters'),
      parameters
    ];
    const numbers: [string, IChartField[]] = [trans.__('Metrics'), metrics];
    const chart = this._chart;
    fill(this._x, key(chart?.x, 'param'), [params, numbers], null);
    fill(this._y, key(chart?.y, 'metric'), [numbers], null);
    fill(
      this._color,
      key(chart?.color, 'param'),
      [params, numbers],
      trans.__('None')
    );
    this._logX.checked = !!chart?.logX;
  }

  private _options: IChartPaneOptions;
  private _chart: IChartOptions | null;
  private _x: HTMLSelectElement;
  private _y: HTMLSelectElement;
  private _color: HTMLSelectElement;
  private _logX: HTMLInputElement;
  private _message: HTMLElement;
  private _hosts: Panel;
  private _drawn: Promise<void> = Promise.resolve();
  private _observer: MutationObserver | null = null;
  private _timer = 0;
  private _ticket = 0;
  private _renderCount = 0;
  private _chartChanged = new Signal<this, IChartOptions>(this);
}
