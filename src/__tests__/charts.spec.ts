/// <reference types="node" />
import * as fs from 'fs';
import * as path from 'path';

import {
  categoryText,
  chartArg,
  chartFields,
  IChartAnswer,
  IChartOptions,
  MAX_PARALLEL_VERTICES_RUNS,
  parallelSpec,
  resolveField,
  scatterSpec,
  VegaLiteSpec
} from '../charts';

/**
 * The golden fixture that `tests/test_charts.py` checks against the Python
 * builder too (`tests/chart_golden.py` writes it): the same answers must
 * give the same specs in both languages.
 */
const GOLDEN = path.resolve(
  __dirname,
  '..',
  '..',
  'tests',
  'files',
  'charts',
  'golden.json'
);

interface ICase {
  name: string;
  answer: string;
  kind: 'scatter' | 'parallel';
  options: IChartOptions;
  spec: VegaLiteSpec;
}

const golden = JSON.parse(fs.readFileSync(GOLDEN, 'utf-8')) as {
  answers: Record<string, IChartAnswer>;
  cases: ICase[];
};

function build(c: ICase): VegaLiteSpec {
  const answer = golden.answers[c.answer];
  return c.kind === 'scatter'
    ? scatterSpec(answer, c.options)
    : parallelSpec(answer, c.options);
}

/** The layer of a spec by its name. */
function layer(spec: VegaLiteSpec, name: string): VegaLiteSpec {
  const found = spec.layer.find((l: VegaLiteSpec) => l.name === name);
  if (!found) {
    throw new Error(`no layer ${name}`);
  }
  return found;
}

const demo = golden.answers.demo;
const sweep = golden.answers.sweep_by_C;
const edge = golden.answers.edge;

describe('chart specs: the golden fixture shared with pytest', () => {
  it.each(golden.cases.map(c => [c.name, c] as const))('%s', (_name, c) => {
    // Given a stored answer and options, when the spec is built here,
    // then it is the one the Python builder stored
    expect(build(c)).toEqual(c.spec);
  });

  it('covers both kinds, grouped answers and edge cases', () => {
    const kinds = new Set(golden.cases.map(c => `${c.kind}:${c.answer}`));
    expect(kinds).toEqual(
      new Set([
        'scatter:demo',
        'scatter:demo_by_model',
        'scatter:sweep_by_C',
        'scatter:edge',
        'parallel:demo',
        'parallel:sweep_by_C',
        'parallel:edge',
        'parallel:wide',
        'parallel:gaps'
      ])
    );
  });
});

describe('scatterSpec', () => {
  it('has one point per ok run, and leaves the failed run out with a count', () => {
    // Given the demo runs, one of which failed
    const failed = demo.notebooks.filter(nb => nb.status !== 'ok');
    expect(failed.map(nb => nb.path)).toEqual(['runs/ridge_diverged.ipynb']);
    // When mse is plotted against alpha
    const spec = scatterSpec(demo, { x: 'alpha', y: 'mse' });
    // Then every other run is one point, with its notebook
    const runs = spec.datasets.runs as Record<string, unknown>[];
    expect(runs.map(r => r.notebook)).toEqual(
      demo.notebooks.filter(nb => nb.status === 'ok').map(nb => nb.path)
    );
    expect(runs.every(r => typeof r.y === 'number')).toBe(true);
    // and the failed run is counted, in the title and the summary
    expect(spec.usermeta.nbcompare.failed).toEqual([
      'runs/ridge_diverged.ipynb'
    ]);
    expect(spec.title.subtitle).toEqual(['1 failed run left out']);
  });

  it('takes each point from the run it names', () => {
    // Given the demo answer
    const spec = scatterSpec(demo, { x: 'alpha', y: 'mse', color: 'model' });
    for (const row of spec.datasets.runs as Record<string, any>[]) {
      const nb = demo.notebooks.find(n => n.path === row.notebook)!;
      const mse = demo.values.find(v => v.name === 'mse')!.cells[nb.path];
      // Then x, y and colour are that run's alpha, mse and model
      expect(row.x).toBe(nb.parameters_flat!.alpha.value);
      expect(row.y).toBe((mse as any).value);
      expect(row.color).toBe(nb.parameters_flat!.model.value);
      expect(row.label).toBe(nb.path.split('/').pop());
    }
    // and the colours are categories of model
    expect(layer(spec, 'runs').encoding.color).toEqual({
      field: 'color',
      type: 'nominal',
      title: 'model'
    });
  });

  it('marks the baseline run, and only it', () => {
    const spec = scatterSpec(demo, { x: 'alpha', y: 'mse' });
    const flagged = (spec.datasets.runs as Record<string, unknown>[]).filter(
      r => r.baseline
    );
    expect(flagged.map(r => r.notebook)).toEqual([demo.baseline]);
    // The ring and its label are drawn over the runs marked baseline
    for (const name of ['baseline', 'baselineLabel']) {
      const ring = layer(spec, name);
      expect(ring.data).toEqual({ name: 'runs' });
      expect(ring.transform).toEqual([{ filter: 'datum.baseline' }]);
    }
    expect(layer(spec, 'baselineLabel').mark.text).toBe('baseline');
  });

  it('a log x scale leaves out and counts runs with x <= 0', () => {
    // Given runs with lr 0.1, 0, 10 and 1e-7 (and others without a loss)
    const linear = scatterSpec(edge, { x: 'lr', y: 'loss' });
    const log = scatterSpec(edge, { x: 'lr', y: 'loss', logX: true });
    // Then the log scale is asked for, and the run with lr = 0 is left out
    expect(layer(log, 'runs').encoding.x.scale).toEqual({ type: 'log' });
    expect(layer(linear, 'runs').encoding.x.scale).toEqual({ zero: false });
    expect(log.usermeta.nbcompare.nonpositive).toEqual(['e/b.ipynb']);
    expect(linear.usermeta.nbcompare.nonpositive).toEqual([]);
    expect(log.datasets.runs.length).toBe(linear.datasets.runs.length - 1);
    expect(log.title.subtitle).toContain('1 run with lr <= 0 (log scale)');
  });

  it('log x does not apply to a categorical x', () => {
    const spec = scatterSpec(demo, { x: 'model', y: 'mse', logX: true });
    const x = layer(spec, 'runs').encoding.x;
    expect(x.type).toBe('nominal');
    expect(x.scale).toBeUndefined();
  });

  it('leaves out runs without x or y: missing, NaN, infinite, boolean', () => {
    // e: no lr; c: loss NaN; h: loss Infinity; i: loss True
    const spec = scatterSpec(edge, { x: 'lr', y: 'loss' });
    expect(spec.usermeta.nbcompare.missing).toEqual([
      'e/c.ipynb',
      'e/e.ipynb',
      'e/h.ipynb',
      'e/i.ipynb'
    ]);
    expect(spec.usermeta.nbcompare.failed).toEqual(['e/f.ipynb', 'e/g.ipynb']);
    expect(spec.title.subtitle).toEqual([
      '2 failed runs left out',
      '4 runs without lr or loss'
    ]);
  });

  it('draws each group mean ± std from the answer, over its runs', () => {
    // Given the sweep grouped by cfg.C (three seeds at C = 0.1, two ok at 1)
    const spec = scatterSpec(sweep, { x: 'cfg.C', y: 'score' });
    const groups = spec.datasets.groups as Record<string, any>[];
    expect(groups.map(g => g.x)).toEqual([0.1, 1]);
    for (const [i, row] of groups.entries()) {
      const stat = sweep.groups![i].stats.find(s => s.name === 'score')!;
      // Then mean and std are the server's, and the bar spans mean ± std
      expect(row.mean).toBe(stat.mean);
      expect(row.std).toBe(stat.std);
      expect(row.lo).toBe((stat.mean as number) - (stat.std as number));
      expect(row.hi).toBe((stat.mean as number) + (stat.std as number));
    }
    expect(layer(spec, 'spread').mark.type).toBe('errorbar');
    expect(layer(spec, 'spread').encoding.y2).toEqual({ field: 'hi' });
    // and the runs stay, one point each, with their group
    expect(spec.datasets.runs.length).toBe(5);
    expect(spec.datasets.runs[0].group).toBe('cfg.C=0.1');
    // and the baseline's group is the one marked
    expect(groups.map(g => g.baseline)).toEqual([true, false]);
    expect(layer(spec, 'baseline').data).toEqual({ name: 'groups' });
  });

  it('has no error bars without groups', () => {
    const spec = scatterSpec(demo, { x: 'alpha', y: 'mse' });
    expect(spec.datasets.groups).toBeUndefined();
    expect(spec.layer.map((l: VegaLiteSpec) => l.name)).toEqual([
      'runs',
      'baseline',
      'baselineLabel'
    ]);
  });

  it('a group of one run has a mean but no bar', () => {
    // Given the demo grouped by model: ols has one run
    const spec = scatterSpec(golden.answers.demo_by_model, {
      x: 'model',
      y: 'mse'
    });
    const ols = (spec.datasets.groups as Record<string, any>[]).find(
      g => g.x === 'ols'
    )!;
    expect(ols.n).toBe(1);
    expect(ols.std).toBeNull();
    expect(ols.lo).toBeNull();
    expect(layer(spec, 'spread').transform).toEqual([
      { filter: 'isValid(datum.lo)' }
    ]);
  });

  it('colours few distinct numbers in steps, many on a continuous scale', () => {
    const few = scatterSpec(sweep, { x: 'cfg.C', y: 'score', color: 'seed' });
    expect(layer(few, 'runs').encoding.color.type).toBe('ordinal');
    // a colour some run lacks makes categories, with (none)
    const lacking = scatterSpec(edge, { x: 'lr', y: 'loss', color: 'opt' });
    expect(layer(lacking, 'runs').encoding.color.type).toBe('nominal');
    expect(lacking.datasets.runs.map((r: any) => r.color)).toEqual([
      'adam',
      'sgd',
      '(none)'
    ]);
  });

  it('applies a theme palette and its config', () => {
    const palette = {
      foreground: 'white',
      muted: 'grey',
      config: { background: 'transparent' }
    };
    const spec = scatterSpec(demo, { x: 'alpha', y: 'mse' }, palette);
    expect(spec.config).toEqual({ background: 'transparent' });
    expect(layer(spec, 'baseline').mark.color).toBe('white');
    expect(scatterSpec(demo, { x: 'alpha', y: 'mse' }).config).toBeUndefined();
  });
});

describe('parallelSpec', () => {
  it('draws one line per ok run through the varying parameters and the metric', () => {
    const spec = parallelSpec(demo, { y: 'mse' });
    const segments = spec.datasets.segments as Record<string, any>[];
    const axes = spec.datasets.axes.map((a: any) => a.dimension);
    // The metric is the last axis; the parameters are those that vary
    expect(axes[axes.length - 1]).toBe('mse');
    expect(axes).toContain('alpha');
    expect(axes).toContain('model');
    expect(axes).not.toContain('fail'); // false in every plotted run
    // Each ok run is a line of segments between neighbouring axes, left to
    // right (every run has every axis here), each starting where the one
    // before it ends
    const runs = new Set(segments.map(s => s.notebook));
    expect([...runs]).toEqual(
      demo.notebooks.filter(nb => nb.status === 'ok').map(nb => nb.path)
    );
    for (const run of runs) {
      const own = segments.filter(s => s.notebook === run);
      expect(own.map(s => [s.dimension, s.dimension2])).toEqual(
        axes.slice(1).map((to: string, i: number) => [axes[i], to])
      );
      own.slice(1).forEach((s, i) => expect(s.norm).toBe(own[i].norm2));
    }
    expect(layer(spec, 'lines').mark.type).toBe('rule');
    expect(layer(spec, 'lines').encoding.x2).toEqual({ field: 'dimension2' });
    expect(layer(spec, 'lines').encoding.y2).toEqual({ field: 'norm2' });
    expect(spec.usermeta.nbcompare.failed).toEqual([
      'runs/ridge_diverged.ipynb'
    ]);
    // Positions run from 0 (smallest) to 1 (largest)
    const mse = segments.filter(s => s.dimension2 === 'mse').map(s => s.norm2);
    expect(Math.min(...mse)).toBe(0);
    expect(Math.max(...mse)).toBe(1);
    // and the points at the axes are the segments' ends
    const points = spec.datasets.points as Record<string, any>[];
    expect(points.length).toBe(runs.size * axes.length);
  });

  it('draws a run that lacks a value through the axes it has', () => {
    // Given e/e.ipynb, which has no lr (a numeric axis)
    const spec = parallelSpec(edge, { y: 'loss' });
    const axes = spec.datasets.axes.map((a: any) => a.dimension);
    expect(axes[0]).toBe('lr');
    const segments = spec.datasets.segments as Record<string, any>[];
    const ends = (path: string) =>
      segments
        .filter(s => s.notebook === path)
        .map(s => [s.dimension, s.dimension2]);
    // Then its line starts at the next axis; a run with lr starts at lr
    expect(ends('e/e.ipynb')).toEqual(
      axes.slice(2).map((to: string, i: number) => [axes[i + 1], to])
    );
    expect(ends('e/a.ipynb')[0]).toEqual(['lr', axes[1]]);
    // When lr is the only parameter, that run has the metric alone: a dot
    const lrOnly = (nb: IChartAnswer['notebooks'][number]) => {
      const keep = (p: Record<string, any> | undefined): Record<string, any> =>
        p && 'lr' in p ? { lr: p.lr } : {};
      return {
        ...nb,
        parameters: keep(nb.parameters),
        parameters_flat: keep(nb.parameters_flat)
      };
    };
    const alone = parallelSpec(
      { ...edge, notebooks: edge.notebooks.map(lrOnly) },
      { y: 'loss' }
    ).datasets.segments as Record<string, any>[];
    const dot = alone.filter(s => s.notebook === 'e/e.ipynb');
    expect(dot).toEqual([
      expect.objectContaining({
        dimension: 'loss',
        dimension2: 'loss',
        norm: dot[0].norm2
      })
    ]);
    expect(alone.filter(s => s.notebook === 'e/a.ipynb')).toHaveLength(1);
  });

  it('marks the baseline line', () => {
    const spec = parallelSpec(demo, { y: 'mse' });
    const segments = spec.datasets.segments as Record<string, any>[];
    expect(
      new Set(segments.filter(s => s.baseline).map(s => s.notebook))
    ).toEqual(new Set([demo.baseline]));
    expect(layer(spec, 'lines').encoding.strokeWidth.condition).toEqual({
      test: 'datum.baseline',
      value: 4
    });
    // and labels it once, at its metric
    const end = segments.find(
      s => s.baseline && s.dimension2 === 'mse'
    ) as Record<string, any>;
    expect(spec.datasets.baseline).toEqual([
      { dimension: 'mse', norm: end.norm2 }
    ]);
    expect(layer(spec, 'baselineLabel').data).toEqual({ name: 'baseline' });
  });

  it('draws points at the axes up to the threshold of runs, not above it', () => {
    // Given the synthetic sweep of one run more than the threshold
    const wide = golden.answers.wide;
    const layers = (answer: IChartAnswer) =>
      parallelSpec(answer, { y: 'loss' }).layer.map((l: any) => l.name);
    expect(wide.notebooks.length).toBe(MAX_PARALLEL_VERTICES_RUNS + 1);
    // Then above the threshold the lines come without their vertices
    expect(layers(wide)).not.toContain('vertices');
    expect(layers(wide)).toContain('lines');
    expect(parallelSpec(wide, { y: 'loss' }).datasets.points).toBeUndefined();
    // but keep their tooltip and the notebook a click reaches
    const lines = layer(parallelSpec(wide, { y: 'loss' }), 'lines');
    expect(lines.encoding.tooltip).toEqual([
      { field: 'label', title: 'notebook' }
    ]);
    expect(lines.encoding.description).toEqual({ field: 'notebook' });
    // When one run fewer is plotted (failed, or left out), they are drawn
    const atThreshold = {
      ...wide,
      notebooks: wide.notebooks.slice(0, MAX_PARALLEL_VERTICES_RUNS)
    };
    expect(layers(atThreshold)).toContain('vertices');
    const oneFailed = {
      ...wide,
      notebooks: wide.notebooks.map((nb, i) =>
        i === 1 ? { ...nb, status: 'failed' as const } : nb
      )
    };
    expect(layers(oneFailed)).toContain('vertices');
  });

  it('spaces categories evenly and leaves runs without the metric out', () => {
    const spec = parallelSpec(edge, { y: 'loss' });
    const ticks = (spec.datasets.ticks as Record<string, any>[]).filter(
      t => t.dimension === 'opt'
    );
    expect(ticks.map(t => [t.category, t.norm])).toEqual([
      ['adam', 0],
      ['sgd', 0.5],
      ['(none)', 1]
    ]);
    expect(spec.usermeta.nbcompare.missing).toEqual([
      'e/c.ipynb',
      'e/h.ipynb',
      'e/i.ipynb'
    ]);
  });
});

describe('fields', () => {
  it('offers parameters and number-valued metrics, mapping items as name.key', () => {
    const { parameters, metrics } = chartFields(demo);
    expect(parameters.map(f => f.label)).toEqual(
      expect.arrayContaining(['alpha', 'model', 'seed'])
    );
    expect(metrics.map(f => f.label)).toEqual(
      expect.arrayContaining(['mse', 'metrics.mse', 'metrics.r2', 'r2'])
    );
    // text, tables and images are not offered
    expect(metrics.map(f => f.label)).not.toContain('summary');
    expect(metrics.map(f => f.label)).not.toContain('coefficients');
  });

  it('finds the fields of an answer once, and those of a new answer anew', () => {
    // Given an answer whose values are counted when read
    let reads = 0;
    const answer: IChartAnswer = { ...demo };
    Object.defineProperty(answer, 'values', {
      get: () => {
        reads++;
        return demo.values;
      }
    });
    const first = chartFields(answer);
    const afterFirst = reads;
    expect(afterFirst).toBeGreaterThan(0);
    // When both charts are built and a name resolved again
    scatterSpec(answer, { x: 'alpha', y: 'mse', color: 'model' });
    parallelSpec(answer, { y: 'mse' });
    resolveField(answer, 'r2', 'metric');
    // Then the fields were not searched for again (the specs read the
    // values only for the plotted numbers), and are the same
    expect(chartFields(answer)).toEqual(first);
    const again = reads;
    chartFields(answer);
    expect(reads).toBe(again);
    // and a caller changing its copy changes nothing for the next one
    chartFields(answer).metrics.length = 0;
    expect(chartFields(answer).metrics).toEqual(first.metrics);
    // A new answer (a refresh) has its own fields
    const refreshed: IChartAnswer = {
      ...demo,
      values: demo.values.filter(v => v.name !== 'mse')
    };
    expect(chartFields(refreshed).metrics.map(f => f.label)).not.toContain(
      'mse'
    );
  });

  it('resolves bare names by preference, prefixed names exactly', () => {
    const answer: IChartAnswer = {
      ...edge,
      values: [
        ...edge.values,
        {
          name: 'lr',
          origin: 'tag',
          kind: 'scalar',
          direction: null,
          differs: true,
          cells: { 'e/a.ipynb': { kind: 'scalar', value: 3 } as any }
        }
      ]
    };
    expect(resolveField(answer, 'lr', 'param').kind).toBe('param');
    expect(resolveField(answer, 'lr', 'metric').kind).toBe('metric');
    expect(resolveField(answer, 'metric:lr', 'param').kind).toBe('metric');
    expect(() => resolveField(answer, 'nope', 'param')).toThrow(
      /No parameter or metric named "nope" \(parameters: lr, flag, opt; metrics: loss, lr\)/
    );
  });

  it('spells categories as the notebook would show them', () => {
    expect(categoryText(true)).toBe('True');
    expect(categoryText(null)).toBe('(none)');
    expect(categoryText(1e-7)).toBe('1e-7');
    expect(categoryText([1, 'a'])).toBe('[1,"a"]');
  });
});

describe('chartArg', () => {
  it('accepts {x, y, color?, logX?} and refuses anything else', () => {
    expect(chartArg(undefined)).toBeUndefined();
    expect(chartArg({ x: 'alpha', y: 'mse' })).toEqual({
      x: 'alpha',
      y: 'mse'
    });
    expect(
      chartArg({ x: 'alpha', y: 'mse', color: 'model', logX: true })
    ).toEqual({ x: 'alpha', y: 'mse', color: 'model', logX: true });
    for (const bad of [
      'alpha',
      { x: 'alpha' },
      { x: 1, y: 'mse' },
      { x: 'a', y: 'b', logX: 'yes' },
      { x: 'a', y: 'b', color: 3 }
    ]) {
      expect(() => chartArg(bad)).toThrow(/"chart" must be/);
    }
  });
});
