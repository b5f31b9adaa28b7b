/**
 * Vega-Lite specs of a comparison: a scatter of a metric against a parameter
 * (or another metric), and parallel coordinates over the parameters and one
 * metric. Pure functions of a compare answer, no DOM.
 *
 * `jupyterlab_nbcompare/core/charts.py` builds the same specs in Python (for
 * `NotebookCollection.plot` and the CLI's HTML report); a golden fixture
 * (`tests/files/charts/golden.json`) is checked by jest and pytest alike, so
 * the two cannot drift. Keep both in step: same fields, same order of
 * layers, same rules for what is left out.
 *
 * The specs draw through JupyterLab's own Vega-Lite renderer (no charting
 * library in the bundle). Every data row of a run carries its `notebook`
 * path, so a click on a mark can find its column.
 */
import { flatParameters } from './delta';
import { formatFull, toNumber } from './format';
import {
  ICompareResponse,
  IGroup,
  INotebookInfo,
  IValueRow,
  Origin
} from './tokens';

/** The mime type of JupyterLab's Vega-Lite 5 renderer (vega5-extension). */
export const VEGALITE_MIME = 'application/vnd.vegalite.v5+json';

/** The Vega-Lite schema the specs are written against. */
export const VEGALITE_SCHEMA =
  'https://vega.github.io/schema/vega-lite/v5.json';

/** A colour-scale type with at most this many numbers is ordinal (steps). */
export const ORDINAL_COLORS = 8;

/** Parallel coordinates show at most this many parameters. */
export const MAX_PARALLEL_PARAMETERS = 12;

/**
 * Parallel coordinates of more runs than this leave out the point marks at
 * the axes (`vertices`, one per run per axis, for their tooltips): the lines
 * alone keep their tooltip and click, and a large sweep paints much sooner.
 */
export const MAX_PARALLEL_VERTICES_RUNS = 200;

/** What a chart plots: names of parameters or metrics (see {@link resolveField}). */
export interface IChartOptions {
  /** The horizontal axis of the scatter: a parameter or a metric. */
  x: string;
  /** The metric on the vertical axis (and the last axis of parallel coordinates). */
  y: string;
  /** Colour the runs by this parameter (or metric). */
  color?: string | null;
  /** A logarithmic horizontal axis (runs with x <= 0 are left out, counted). */
  logX?: boolean;
}

/**
 * Colours of the marks that are not data colours (the baseline ring, group
 * means, parallel axes). The default reads on white and on dark backgrounds;
 * the panel passes the theme's (`--jp-*`) with a `config` for the guides.
 */
export interface IChartPalette {
  foreground: string;
  muted: string;
  /** Vega-Lite `config` (axis and legend colours, fonts, background). */
  config?: Record<string, unknown>;
}

/** The palette of specs built without a theme (Python, the HTML report). */
export const DEFAULT_PALETTE: IChartPalette = {
  foreground: '#555555',
  muted: '#999999'
};

/** One statistic of a group (`groups[].stats[]` of a grouped answer). */
/** A group of runs, as the compare answer gives it with `group_by`. */
export type IChartGroup = IGroup;

/** A compare answer, with `groups` when it was asked with `group_by`. */
export type IChartAnswer = ICompareResponse;

/** Something a chart can plot: a parameter, or a number-valued metric. */
export interface IChartField {
  kind: 'param' | 'metric';
  /** The name people see: `alpha`, `mse`, `metrics.r2`, `cfg.C`. */
  label: string;
  /** For a metric: the value's name and origin, and the mapping item's key. */
  name: string;
  origin?: Origin;
  key?: string | null;
}

/** A Vega-Lite spec (plain JSON). */
export type VegaLiteSpec = Record<string, any>;

/** What a spec left out, in `usermeta.nbcompare` (paths). */
export interface IChartSummary {
  runs: number;
  failed: string[];
  missing: string[];
  nonpositive: string[];
}

/**
 * The parameters and number-valued metrics of an answer, in order of first
 * appearance: what the chart pickers offer.
 */
export function chartFields(answer: ICompareResponse): IChartFields {
  // Drawing both charts and filling the pickers resolves about ten names
  // against the same answer; on a sweep of 1,000 runs each pass over it
  // costs milliseconds, so the fields are found once per answer (answers are
  // never changed once received).
  let fields = fieldsOfAnswer.get(answer);
  if (!fields) {
    fields = findChartFields(answer);
    fieldsOfAnswer.set(answer, fields);
  }
  return { parameters: [...fields.parameters], metrics: [...fields.metrics] };
}

/** The parameters and metrics a chart can plot (see {@link chartFields}). */
export interface IChartFields {
  parameters: IChartField[];
  metrics: IChartField[];
}

const fieldsOfAnswer = new WeakMap<ICompareResponse, IChartFields>();

function findChartFields(answer: ICompareResponse): IChartFields {
  const parameters: IChartField[] = [];
  const seenParams = new Set<string>();
  for (const nb of answer.notebooks) {
    for (const name of Object.keys(flatParameters(nb))) {
      if (!seenParams.has(name)) {
        seenParams.add(name);
        parameters.push({ kind: 'param', label: name, name });
      }
    }
  }
  const metrics: IChartField[] = [];
  const seenMetrics = new Set<string>();
  const paths = answer.notebooks.map(nb => nb.path);
  const add = (field: IChartField) => {
    if (!seenMetrics.has(field.label)) {
      seenMetrics.add(field.label);
      metrics.push(field);
    }
  };
  for (const row of answer.values) {
    if (row.kind === 'scalar') {
      if (paths.some(p => isNumeric(scalarOf(row, p)))) {
        add({
          kind: 'metric',
          label: row.name,
          name: row.name,
          origin: row.origin,
          key: null
        });
      }
    } else if (row.kind === 'mapping') {
      const keys: string[] = [];
      for (const path of paths) {
        const cell = row.cells[path];
        if (cell && cell.kind === 'mapping') {
          for (const [key, item] of Object.entries(cell.items)) {
            if (!keys.includes(key) && isNumeric(item?.value)) {
              keys.push(key);
            }
          }
        }
      }
      for (const key of keys) {
        add({
          kind: 'metric',
          label: `${row.name}.${key}`,
          name: row.name,
          origin: row.origin,
          key
        });
      }
    }
  }
  return { parameters, metrics };
}

/**
 * The field a name stands for. `param:NAME` and `metric:NAME` say which;
 * a bare name is looked up among the kind `prefer`red first (the vertical
 * axis prefers metrics, the horizontal axis and the colour parameters).
 * Throws an Error naming what exists when nothing matches.
 */
export function resolveField(
  answer: ICompareResponse,
  text: string,
  prefer: 'param' | 'metric'
): IChartField {
  const { parameters, metrics } = chartFields(answer);
  let kinds: ('param' | 'metric')[] =
    prefer === 'param' ? ['param', 'metric'] : ['metric', 'param'];
  let name = text;
  for (const kind of ['param', 'metric'] as const) {
    if (text.startsWith(`${kind}:`)) {
      kinds = [kind];
      name = text.slice(kind.length + 1);
    }
  }
  for (const kind of kinds) {
    const found = (kind === 'param' ? parameters : metrics).find(
      field => field.label === name
    );
    if (found) {
      return found;
    }
  }
  const list = (fields: IChartField[]) =>
    fields.map(field => field.label).join(', ') || 'none';
  throw new Error(
    `No parameter or metric named "${text}" (parameters: ${list(
      parameters
    )}; metrics: ${list(metrics)}).`
  );
}

/** A value as a category: text as is, numbers as JavaScript spells them. */
export function categoryText(value: unknown): string {
  if (value === null || value === undefined) {
    return '(none)';
  }
  if (typeof value === 'string') {
    return value;
  }
  if (typeof value === 'boolean') {
    return value ? 'True' : 'False';
  }
  if (typeof value === 'number') {
    return formatFull(value);
  }
  return JSON.stringify(value);
}

/** The scatter of `y` against `x`, one point per run that has both. */
export function scatterSpec(
  answer: IChartAnswer,
  options: IChartOptions,
  palette: IChartPalette = DEFAULT_PALETTE
): VegaLiteSpec {
  const xField = resolveField(answer, options.x, 'param');
  const yField = resolveField(answer, options.y, 'metric');
  const colorField = options.color
    ? resolveField(answer, options.color, 'param')
    : null;
  const ok = answer.notebooks.filter(nb => nb.status === 'ok');
  const failed = answer.notebooks
    .filter(nb => nb.status !== 'ok')
    .map(nb => nb.path);
  const rawX = new Map(ok.map(nb => [nb.path, valueOf(answer, xField, nb)]));
  const xNumeric = ok.every(
    nb => isAbsent(rawX.get(nb.path)) || isNumeric(rawX.get(nb.path))
  );
  const logX = !!options.logX && xNumeric;
  const missing: string[] = [];
  const nonpositive: string[] = [];
  const included: { nb: INotebookInfo; x: unknown; y: number }[] = [];
  for (const nb of ok) {
    const raw = rawX.get(nb.path);
    const y = finite(valueOf(answer, yField, nb));
    const x = xNumeric ? finite(raw) : isAbsent(raw) ? null : categoryText(raw);
    if (x === null || y === null) {
      missing.push(nb.path);
    } else if (logX && (x as number) <= 0) {
      nonpositive.push(nb.path);
    } else {
      included.push({ nb, x, y });
    }
  }
  const colors = colorField
    ? colorValues(
        answer,
        colorField,
        included.map(item => item.nb)
      )
    : null;
  const groups =
    answer.groups && answer.groups.length > 0 ? answer.groups : null;
  const groupOf = new Map<string, string>();
  groups?.forEach(group => {
    const label = groupLabel(group);
    for (const path of group.paths) {
      groupOf.set(path, label);
    }
  });
  const runs = included.map(({ nb, x, y }, i) => {
    const row: Record<string, unknown> = {
      notebook: nb.path,
      label: basename(nb.path),
      x,
      y,
      baseline: nb.path === answer.baseline
    };
    if (colors) {
      row.color = colors.values[i];
    }
    if (groups) {
      row.group = groupOf.get(nb.path) ?? '';
    }
    return row;
  });

  const x: Record<string, unknown> = {
    field: 'x',
    type: xNumeric ? 'quantitative' : 'nominal',
    title: xField.label
  };
  if (xNumeric) {
    x.scale = logX ? { type: 'log' } : { zero: false };
  }
  const yTitle = yField.label;
  const y = (field: string) => ({
    field,
    type: 'quantitative',
    title: yTitle,
    scale: { zero: false }
  });
  const tooltip: Record<string, unknown>[] = [
    { field: 'label', title: 'notebook' },
    { field: 'x', title: xField.label },
    { field: 'y', title: yField.label }
  ];
  if (colorField) {
    tooltip.push({ field: 'color', title: colorField.label });
  }
  if (groups) {
    tooltip.push({ field: 'group', title: 'group' });
  }
  const encoding: Record<string, unknown> = {
    x,
    y: y('y'),
    tooltip,
    description: { field: 'notebook' }
  };
  if (colors) {
    encoding.color = colorEncoding(colorField!, colors.type);
  }
  const layer: VegaLiteSpec[] = [
    {
      name: 'runs',
      data: { name: 'runs' },
      mark: {
        type: 'point',
        filled: true,
        size: 70,
        opacity: groups ? 0.5 : 0.9,
        cursor: 'pointer'
      },
      encoding
    }
  ];
  const datasets: Record<string, unknown[]> = { runs };
  let ringData = 'runs';
  let ringY = 'y';
  if (groups) {
    datasets.groups = groupRows(
      answer,
      groups,
      xField,
      yField,
      xNumeric,
      logX,
      runs
    );
    ringData = 'groups';
    ringY = 'mean';
    layer.push(
      {
        name: 'spread',
        data: { name: 'groups' },
        transform: [{ filter: 'isValid(datum.lo)' }],
        mark: { type: 'errorbar', ticks: true, color: palette.foreground },
        encoding: { x, y: y('lo'), y2: { field: 'hi' } }
      },
      {
        name: 'means',
        data: { name: 'groups' },
        mark: {
          type: 'point',
          shape: 'diamond',
          filled: true,
          size: 110,
          color: palette.foreground
        },
        encoding: {
          x,
          y: y('mean'),
          tooltip: [
            { field: 'group', title: 'group' },
            { field: 'n', title: 'n' },
            { field: 'mean', title: `mean ${yField.label}` },
            { field: 'std', title: 'std' }
          ],
          description: { field: 'group' }
        }
      }
    );
  }
  layer.push(
    {
      name: 'baseline',
      data: { name: ringData },
      transform: [{ filter: 'datum.baseline' }],
      mark: {
        type: 'point',
        filled: false,
        size: 280,
        strokeWidth: 2,
        color: palette.foreground
      },
      encoding: { x, y: y(ringY) }
    },
    {
      name: 'baselineLabel',
      data: { name: ringData },
      transform: [{ filter: 'datum.baseline' }],
      mark: {
        type: 'text',
        align: 'left',
        dx: 11,
        dy: -11,
        color: palette.foreground,
        text: 'baseline'
      },
      encoding: { x, y: y(ringY) }
    }
  );
  const summary: IChartSummary = {
    runs: runs.length,
    failed,
    missing,
    nonpositive
  };
  return finish(
    {
      description: `${yField.label} against ${xField.label}: one point per run`,
      title: title(
        `${yField.label} against ${xField.label}`,
        leftOut(summary, `${xField.label} or ${yField.label}`, xField.label)
      ),
      width: 360,
      height: 260,
      datasets,
      layer
    },
    summary,
    palette
  );
}

/**
 * Parallel coordinates: one line per run through the parameters that vary
 * among the runs (at most {@link MAX_PARALLEL_PARAMETERS}) and the metric
 * `y`, each axis scaled from its smallest to its largest value (categories
 * evenly spaced, in order of first appearance). Coloured by `color`, or by
 * the metric.
 */
export function parallelSpec(
  answer: IChartAnswer,
  options: Pick<IChartOptions, 'y' | 'color'>,
  palette: IChartPalette = DEFAULT_PALETTE
): VegaLiteSpec {
  const yField = resolveField(answer, options.y, 'metric');
  const colorField = options.color
    ? resolveField(answer, options.color, 'param')
    : null;
  const failed = answer.notebooks
    .filter(nb => nb.status !== 'ok')
    .map(nb => nb.path);
  const missing: string[] = [];
  const included: INotebookInfo[] = [];
  for (const nb of answer.notebooks.filter(nb => nb.status === 'ok')) {
    if (finite(valueOf(answer, yField, nb)) === null) {
      missing.push(nb.path);
    } else {
      included.push(nb);
    }
  }
  const { parameters } = chartFields(answer);
  const texts = (field: IChartField) =>
    new Set(included.map(nb => categoryText(valueOf(answer, field, nb))));
  let dims = parameters.filter(field => texts(field).size > 1);
  if (dims.length === 0) {
    dims = parameters.filter(field =>
      included.some(nb => !isAbsent(valueOf(answer, field, nb)))
    );
  }
  dims = dims.slice(0, MAX_PARALLEL_PARAMETERS);
  const metricLabel = dims.some(d => d.label === yField.label)
    ? `${yField.label} (metric)`
    : yField.label;
  const axes = [...dims.map(d => d.label), metricLabel];
  const colors = colorField ? colorValues(answer, colorField, included) : null;

  const ticks: Record<string, unknown>[] = [];
  const positions = [...dims, yField].map((field, d) => {
    const values = included.map(nb =>
      field === yField
        ? finite(valueOf(answer, field, nb))
        : valueOf(answer, field, nb)
    );
    return axisPositions(axes[d], values, ticks);
  });
  // A run is drawn as rule segments between the axes it has values on, one
  // row per segment: a `line` mark with a `detail` channel would make Vega
  // build one dataflow facet per run, which is most of the time a large
  // sweep takes to paint. A run with a value on one axis only is a dot (a
  // segment of no length, with round caps).
  const segments: Record<string, unknown>[] = [];
  // The points at the axes, one row per run per axis, for `vertices`: only
  // for a few runs.
  const vertexRows = included.length <= MAX_PARALLEL_VERTICES_RUNS;
  const points: Record<string, unknown>[] = [];
  const baselineRows: Record<string, unknown>[] = [];
  included.forEach((nb, i) => {
    const run = {
      notebook: nb.path,
      label: basename(nb.path),
      baseline: nb.path === answer.baseline,
      color: colors ? colors.values[i] : finite(valueOf(answer, yField, nb))
    };
    const at: { dimension: string; norm: number; value: unknown }[] = [];
    positions.forEach((position, d) => {
      const norm = position.norm[i];
      if (norm !== null) {
        at.push({ dimension: axes[d], norm, value: position.shown[i] });
      }
    });
    // consecutive axes; a run on one axis only is a dot
    const following = at.length > 1 ? at.slice(1) : at;
    following.forEach((next, k) => {
      segments.push({
        ...run,
        dimension: at[k].dimension,
        norm: at[k].norm,
        dimension2: next.dimension,
        norm2: next.norm
      });
    });
    if (vertexRows) {
      at.forEach(here => points.push({ ...run, ...here }));
    }
    if (run.baseline) {
      // The metric is the last axis, and every plotted run has a value on it.
      const metric = at[at.length - 1];
      baselineRows.push({ dimension: metric.dimension, norm: metric.norm });
    }
  });

  const x = {
    field: 'dimension',
    type: 'nominal',
    sort: axes,
    title: null,
    axis: {
      orient: 'top',
      labelAngle: 0,
      labelPadding: 10,
      domain: false,
      ticks: false,
      grid: false,
      title: null
    }
  };
  const y = {
    field: 'norm',
    type: 'quantitative',
    axis: null,
    scale: { domain: [0, 1] }
  };
  const color = colors
    ? colorEncoding(colorField!, colors.type)
    : colorEncoding(yField, 'quantitative');
  const summary: IChartSummary = {
    runs: included.length,
    failed,
    missing,
    nonpositive: []
  };
  // The axes' tick labels: numbers formatted, categories as they are.
  const tickLayer = (name: string, text: Record<string, unknown>) => ({
    name,
    data: { name: 'ticks' },
    transform: [{ filter: `isValid(datum.${text.field})` }],
    mark: {
      type: 'text',
      align: 'left',
      dx: 4,
      fontSize: 10,
      color: palette.muted
    },
    encoding: { x, y, text }
  });
  // Per-run, per-axis points (for their tooltips) only for a few runs.
  const vertices: VegaLiteSpec[] = vertexRows
    ? [
        {
          name: 'vertices',
          data: { name: 'points' },
          mark: { type: 'point', filled: true, size: 30, cursor: 'pointer' },
          encoding: {
            x,
            y,
            color,
            tooltip: [
              { field: 'label', title: 'notebook' },
              { field: 'dimension', title: 'axis' },
              { field: 'value', title: 'value' }
            ],
            description: { field: 'notebook' }
          }
        }
      ]
    : [];
  const layer: VegaLiteSpec[] = [
    {
      name: 'axes',
      data: { name: 'axes' },
      mark: { type: 'rule', color: palette.muted },
      encoding: { x }
    },
    {
      name: 'lines',
      data: { name: 'segments' },
      mark: { type: 'rule', cursor: 'pointer', strokeCap: 'round' },
      encoding: {
        x,
        x2: { field: 'dimension2' },
        y,
        y2: { field: 'norm2' },
        color,
        strokeWidth: {
          condition: { test: 'datum.baseline', value: 4 },
          value: 1.5
        },
        opacity: {
          condition: { test: 'datum.baseline', value: 1 },
          value: 0.75
        },
        tooltip: [{ field: 'label', title: 'notebook' }],
        description: { field: 'notebook' }
      }
    },
    ...vertices,
    tickLayer('numberTicks', {
      field: 'number',
      type: 'quantitative',
      format: '.4~g'
    }),
    tickLayer('categoryTicks', { field: 'category', type: 'nominal' }),
    {
      name: 'baselineLabel',
      data: { name: 'baseline' },
      mark: {
        type: 'text',
        align: 'left',
        dx: 8,
        dy: -8,
        color: palette.foreground,
        text: 'baseline'
      },
      encoding: { x, y }
    }
  ];
  return finish(
    {
      description: `Parallel coordinates of the parameters and ${yField.label}: one line per run`,
      title: title(
        `Parameters and ${yField.label}`,
        leftOut(summary, yField.label, '')
      ),
      width: Math.max(360, 90 * axes.length),
      height: 260,
      datasets: {
        axes: axes.map(dimension => ({ dimension })),
        segments,
        ...(vertexRows ? { points } : {}),
        baseline: baselineRows,
        ticks
      },
      layer
    },
    summary,
    palette
  );
}

/**
 * The `chart` argument of `nbcompare:compare`, checked: `{x, y}` strings,
 * `color` a string or null, `logX` a boolean. Undefined when absent; throws
 * an Error that says what is wrong otherwise.
 */
export function chartArg(value: unknown): IChartOptions | undefined {
  if (value === undefined || value === null) {
    return undefined;
  }
  const chart = value as Record<string, unknown>;
  const text = (v: unknown) => typeof v === 'string' && v !== '';
  if (
    typeof value !== 'object' ||
    Array.isArray(value) ||
    !text(chart.x) ||
    !text(chart.y) ||
    !(chart.color === undefined || chart.color === null || text(chart.color)) ||
    !(chart.logX === undefined || typeof chart.logX === 'boolean')
  ) {
    throw new Error(
      'nbcompare:compare: "chart" must be {x: string, y: string, color?: string, logX?: boolean}.'
    );
  }
  const out: IChartOptions = { x: chart.x as string, y: chart.y as string };
  if (text(chart.color)) {
    out.color = chart.color as string;
  }
  if (chart.logX !== undefined) {
    out.logX = chart.logX as boolean;
  }
  return out;
}

/** The summary a spec carries (what it plotted and left out). */
export function chartSummary(spec: VegaLiteSpec): IChartSummary | null {
  return (spec?.usermeta?.nbcompare as IChartSummary | undefined) ?? null;
}

// ---------------------------------------------------------------- helpers

function finish(
  spec: VegaLiteSpec,
  summary: IChartSummary,
  palette: IChartPalette
): VegaLiteSpec {
  const out: VegaLiteSpec = { $schema: VEGALITE_SCHEMA, ...spec };
  if (palette.config) {
    out.config = palette.config;
  }
  out.usermeta = { nbcompare: summary };
  return out;
}

function title(text: string, subtitle: string[]): Record<string, unknown> {
  const out: Record<string, unknown> = { text, anchor: 'start' };
  if (subtitle.length > 0) {
    out.subtitle = subtitle;
  }
  return out;
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

function leftOut(
  summary: IChartSummary,
  lacking: string,
  logLabel: string
): string[] {
  const lines: string[] = [];
  if (summary.failed.length > 0) {
    lines.push(`${plural(summary.failed.length, 'failed run')} left out`);
  }
  if (summary.missing.length > 0) {
    lines.push(`${plural(summary.missing.length, 'run')} without ${lacking}`);
  }
  if (summary.nonpositive.length > 0) {
    lines.push(
      `${plural(summary.nonpositive.length, 'run')} with ${logLabel} <= 0 (log scale)`
    );
  }
  return lines;
}

function basename(path: string): string {
  const i = path.lastIndexOf('/');
  return i < 0 ? path : path.slice(i + 1);
}

function isAbsent(value: unknown): boolean {
  return value === null || value === undefined;
}

/** A number (or the spelled non-finite strings), never a boolean. */
function isNumeric(value: unknown): boolean {
  return typeof value !== 'boolean' && toNumber(value) !== null;
}

/** A finite number, else null. */
function finite(value: unknown): number | null {
  if (typeof value === 'boolean') {
    return null;
  }
  const number = toNumber(value);
  return number !== null && Number.isFinite(number) ? number : null;
}

function scalarOf(row: IValueRow, path: string): unknown {
  const cell = row.cells[path];
  return cell && cell.kind === 'scalar' ? cell.value : null;
}

/** A notebook's value of a field (null when it has none). */
function valueOf(
  answer: ICompareResponse,
  field: IChartField,
  nb: INotebookInfo
): unknown {
  if (field.kind === 'param') {
    return flatParameters(nb)[field.name]?.value ?? null;
  }
  const row = answer.values.find(
    v => v.name === field.name && v.origin === field.origin
  );
  const cell = row?.cells[nb.path];
  if (!cell) {
    return null;
  }
  if (field.key === null || field.key === undefined) {
    return cell.kind === 'scalar' ? cell.value : null;
  }
  return cell.kind === 'mapping'
    ? (cell.items[field.key]?.value ?? null)
    : null;
}

/**
 * The colours of the runs: numbers on a quantitative scale (ordinal steps
 * when there are few distinct ones); anything else, or a run without a value,
 * makes the colours categories.
 */
function colorValues(
  answer: ICompareResponse,
  field: IChartField,
  runs: INotebookInfo[]
): { type: string; values: unknown[] } {
  const raw = runs.map(nb => valueOf(answer, field, nb));
  const numbers = raw.map(finite);
  if (numbers.every(n => n !== null)) {
    const distinct = new Set(numbers).size;
    return {
      type: distinct <= ORDINAL_COLORS ? 'ordinal' : 'quantitative',
      values: numbers
    };
  }
  return { type: 'nominal', values: raw.map(categoryText) };
}

function colorEncoding(field: IChartField, type: string): VegaLiteSpec {
  const out: VegaLiteSpec = { field: 'color', type, title: field.label };
  if (type !== 'nominal') {
    out.scale = { scheme: 'viridis' };
  }
  return out;
}

function groupLabel(group: IChartGroup): string {
  return Object.entries(group.key)
    .map(([name, value]) => `${name}=${categoryText(value)}`)
    .join(', ');
}

/**
 * One row per group with a mean of `y`: its `x` (the group's value of a
 * group-by parameter, a parameter all its plotted runs share, or the mean of
 * a metric), and mean ± std as `lo`/`hi` (none below two runs). The
 * statistics are the server's (`core/groups.py`), never recomputed here.
 */
function groupRows(
  answer: IChartAnswer,
  groups: IChartGroup[],
  xField: IChartField,
  yField: IChartField,
  xNumeric: boolean,
  logX: boolean,
  runs: Record<string, unknown>[]
): Record<string, unknown>[] {
  const rows: Record<string, unknown>[] = [];
  const statOf = (group: IChartGroup, field: IChartField) =>
    field.kind === 'metric'
      ? group.stats.find(
          s =>
            s.name === field.name &&
            s.origin === field.origin &&
            (s.key ?? null) === (field.key ?? null)
        )
      : undefined;
  groups.forEach((group, index) => {
    const mean = finite(statOf(group, yField)?.mean);
    if (mean === null) {
      return;
    }
    let x: unknown = null;
    if (xField.kind === 'metric') {
      x = finite(statOf(group, xField)?.mean);
    } else if (xField.label in group.key) {
      const value = group.key[xField.label];
      x = xNumeric
        ? finite(value)
        : isAbsent(value)
          ? null
          : categoryText(value);
    } else {
      const members = new Set(group.paths);
      const shared = new Set(
        runs.filter(r => members.has(r.notebook as string)).map(r => r.x)
      );
      x = shared.size === 1 ? [...shared][0] : null;
    }
    if (x === null || (logX && (x as number) <= 0)) {
      return;
    }
    const stat = statOf(group, yField)!;
    const std = finite(stat.std);
    rows.push({
      group: groupLabel(group),
      x,
      mean,
      std,
      lo: std === null ? null : mean - std,
      hi: std === null ? null : mean + std,
      n: stat.n,
      baseline: index === (answer.baseline_group ?? 0)
    });
  });
  return rows;
}

/**
 * Where each run sits on one axis (0 at the bottom, 1 at the top; null for a
 * run without a value on a number axis), what its tooltip shows, and the
 * axis's tick labels (appended to `ticks`).
 */
function axisPositions(
  dimension: string,
  values: unknown[],
  ticks: Record<string, unknown>[]
): { norm: (number | null)[]; shown: unknown[] } {
  const numeric = values.every(v => isAbsent(v) || isNumeric(v));
  if (numeric) {
    const numbers = values.map(finite);
    const present = numbers.filter((n): n is number => n !== null);
    if (present.length > 0) {
      const min = Math.min(...present);
      const max = Math.max(...present);
      const span = max - min;
      if (span > 0) {
        ticks.push(
          { dimension, norm: 0, number: min },
          { dimension, norm: 1, number: max }
        );
      } else {
        ticks.push({ dimension, norm: 0.5, number: min });
      }
      return {
        norm: numbers.map(n =>
          n === null ? null : span > 0 ? (n - min) / span : 0.5
        ),
        shown: numbers
      };
    }
  }
  const texts = values.map(categoryText);
  const categories: string[] = [];
  for (const text of texts) {
    if (!categories.includes(text)) {
      categories.push(text);
    }
  }
  const last = categories.length - 1;
  const at = (i: number) => (last > 0 ? i / last : 0.5);
  categories.forEach((category, i) =>
    ticks.push({ dimension, norm: at(i), category })
  );
  return { norm: texts.map(t => at(categories.indexOf(t))), shown: texts };
}
