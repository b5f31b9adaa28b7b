/**
 * A compare response shaped like the server's answer for three papermill runs
 * of examples/template.ipynb (values trimmed), for the model and view tests.
 */
import { ICompareResponse, IGroupStat, IValueRow } from '../tokens';

export const A = 'runs/ridge_alpha0.1.ipynb';
export const B = 'runs/ridge_alpha1.ipynb';
export const C = 'runs/ridge_diverged.ipynb';

/** A scalar cell with deltas against `base`, computed as the server does. */
export function scalar(
  value: number,
  base: number,
  direction: 'lower' | 'higher' | null
) {
  const delta = value - base;
  return {
    kind: 'scalar' as const,
    value,
    delta,
    rel_delta: base === 0 ? null : delta / Math.abs(base),
    better:
      direction === null || delta === 0
        ? null
        : direction === 'lower'
          ? delta < 0
          : delta > 0
  };
}

/** The answer for [A, B, C] with A as baseline. */
export function response(): ICompareResponse {
  const values: IValueRow[] = [
    {
      name: 'mse',
      origin: 'tag',
      kind: 'scalar',
      direction: 'lower',
      differs: true,
      cells: {
        [A]: scalar(0.2, 0.2, 'lower'),
        [B]: scalar(0.25, 0.2, 'lower'),
        [C]: null
      }
    },
    {
      name: 'metrics',
      origin: 'tag',
      kind: 'mapping',
      direction: null,
      differs: true,
      cells: {
        [A]: {
          kind: 'mapping',
          items: {
            mse: {
              value: 0.2,
              delta: 0,
              rel_delta: 0,
              better: null,
              direction: 'lower'
            },
            r2: {
              value: 0.9,
              delta: 0,
              rel_delta: 0,
              better: null,
              direction: 'higher'
            }
          }
        },
        [B]: {
          kind: 'mapping',
          items: {
            mse: {
              value: 0.25,
              delta: 0.05,
              rel_delta: 0.25,
              better: false,
              direction: 'lower'
            },
            r2: {
              value: 0.9,
              delta: 0,
              rel_delta: 0,
              better: null,
              direction: 'higher'
            }
          }
        },
        [C]: {
          kind: 'mapping',
          items: {
            r2: {
              value: 0.9,
              delta: 0,
              rel_delta: 0,
              better: null,
              direction: 'higher'
            }
          }
        }
      }
    },
    {
      name: 'seed_used',
      origin: 'scrap',
      kind: 'scalar',
      direction: null,
      differs: false,
      cells: {
        [A]: scalar(0, 0, null),
        [B]: scalar(0, 0, null),
        [C]: scalar(0, 0, null)
      }
    },
    {
      name: 'top_features',
      origin: 'tag',
      kind: 'sequence',
      direction: null,
      differs: false,
      cells: {
        [A]: { kind: 'sequence', items: ['s2', 'bmi'], added: [], removed: [] },
        [B]: { kind: 'sequence', items: ['s2', 'bmi'], added: [], removed: [] },
        [C]: { kind: 'sequence', items: ['s2', 'bmi'], added: [], removed: [] }
      }
    },
    {
      name: 'summary',
      origin: 'tag',
      kind: 'text',
      direction: null,
      differs: true,
      cells: {
        [A]: { kind: 'text', text: 'alpha=0.1\nsame\n' },
        [B]: { kind: 'text', text: 'alpha=1.0\nsame\n' },
        [C]: null
      }
    }
  ];
  return {
    baseline: A,
    notebooks: [A, B, C].map((path, i) => ({
      path,
      last_modified: `2026-11-26T05:4${i}:00.000000Z`,
      status: path === C ? ('failed' as const) : ('ok' as const),
      error: null,
      duration: 3 + i,
      parameters: {
        alpha: { value: [0.1, 1.0, 1000.0][i], injected: true },
        model: { value: 'ridge', injected: path !== C }
      }
    })),
    values
  };
}

/** A promise with its resolve function, to hold a request open or answer out of order. */
export function deferred<T>(): {
  promise: Promise<T>;
  resolve: (value: T) => void;
} {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>(res => {
    resolve = res;
  });
  return { promise, resolve };
}

/** A sweep: two models, two seeds each; one more lasso run failed. */
export const S = {
  r0: 'sweep/ridge_s0.ipynb',
  r1: 'sweep/ridge_s1.ipynb',
  l0: 'sweep/lasso_s0.ipynb',
  l1: 'sweep/lasso_s1.ipynb',
  lf: 'sweep/lasso_s2.ipynb',
  s0: 'sweep/svm_s0.ipynb',
  s1: 'sweep/svm_s1.ipynb'
};

/** One group statistic, with the server's fields. */
export function groupStat(
  name: string,
  key: string | null,
  fields: Partial<IGroupStat>
): IGroupStat {
  return {
    name,
    origin: 'tag',
    key,
    n: 2,
    mean: null,
    std: null,
    min: null,
    max: null,
    delta: null,
    rel_delta: null,
    significant: null,
    better: null,
    ...fields
  };
}

/**
 * The answer for the sweep grouped by `model`: ridge (the baseline's group),
 * lasso within the noise (with a failed run), svm worse beyond it. mse is
 * lower-is-better, `metrics.r2` higher-is-better.
 */
export function sweepResponse(): ICompareResponse {
  const mse: Record<string, number | null> = {
    [S.r0]: 0.6,
    [S.r1]: 0.5,
    [S.l0]: 0.55,
    [S.l1]: 0.58,
    [S.lf]: null,
    [S.s0]: 4.4,
    [S.s1]: 5.2
  };
  const r2: Record<string, number | null> = {
    [S.r0]: 0.95,
    [S.r1]: 0.96,
    [S.l0]: 0.955,
    [S.l1]: 0.954,
    [S.lf]: null,
    [S.s0]: 0.6,
    [S.s1]: 0.7
  };
  const paths = Object.values(S);
  const model = (path: string) => path.split('/')[1].split('_')[0];
  const params: Record<string, Record<string, unknown>> = {
    ridge: { alpha: 1.0 },
    lasso: { alpha: 0.05 },
    svm: { C: 0.02 }
  };
  return {
    baseline: S.r0,
    notebooks: paths.map((path, i) => ({
      path,
      last_modified: null,
      status: path === S.lf ? ('failed' as const) : ('ok' as const),
      error: null,
      duration: 1,
      failure:
        path === S.lf
          ? { ename: 'FloatingPointError', evalue: 'diverged', cell_index: 3 }
          : null,
      parameters: {
        model: { value: model(path), injected: true },
        model_params: { value: params[model(path)], injected: true },
        seed: { value: i % 2, injected: true }
      },
      parameters_flat: {
        model: { value: model(path), injected: true },
        ...Object.fromEntries(
          Object.entries(params[model(path)]).map(([k, v]) => [
            `model_params.${k}`,
            { value: v, injected: true }
          ])
        ),
        seed: { value: i % 2, injected: true }
      }
    })),
    values: [
      {
        name: 'mse',
        origin: 'tag',
        kind: 'scalar',
        direction: 'lower',
        differs: true,
        cells: Object.fromEntries(
          paths.map(path => [
            path,
            mse[path] === null ? null : scalar(mse[path]!, 0.6, 'lower')
          ])
        )
      },
      {
        name: 'metrics',
        origin: 'tag',
        kind: 'mapping',
        direction: null,
        differs: true,
        cells: Object.fromEntries(
          paths.map(path => [
            path,
            r2[path] === null
              ? null
              : {
                  kind: 'mapping' as const,
                  items: {
                    r2: {
                      ...scalar(r2[path]!, 0.95, 'higher'),
                      direction: 'higher' as const
                    }
                  }
                }
          ])
        )
      }
    ],
    baseline_group: 0,
    groups: [
      {
        key: { model: 'ridge' },
        paths: [S.r0, S.r1],
        failed: [],
        stats: [
          groupStat('mse', null, {
            mean: 0.55,
            std: 0.0707,
            min: 0.5,
            max: 0.6,
            delta: 0,
            rel_delta: 0
          }),
          groupStat('metrics', 'r2', {
            mean: 0.955,
            std: 0.00707,
            min: 0.95,
            max: 0.96,
            delta: 0,
            rel_delta: 0
          })
        ]
      },
      {
        key: { model: 'lasso' },
        paths: [S.l0, S.l1, S.lf],
        failed: [S.lf],
        stats: [
          groupStat('mse', null, {
            mean: 0.565,
            std: 0.0212,
            min: 0.55,
            max: 0.58,
            delta: 0.015,
            rel_delta: 0.0273,
            p_value: 0.8,
            significant: false
          }),
          groupStat('metrics', 'r2', {
            mean: 0.9545,
            std: 0.000707,
            min: 0.954,
            max: 0.955,
            delta: -0.0005,
            rel_delta: -0.0005,
            p_value: 0.9,
            significant: false
          })
        ]
      },
      {
        key: { model: 'svm' },
        paths: [S.s0, S.s1],
        failed: [],
        stats: [
          groupStat('mse', null, {
            mean: 4.8,
            std: 0.566,
            min: 4.4,
            max: 5.2,
            delta: 4.25,
            rel_delta: 7.73,
            p_value: 0.03,
            significant: true,
            better: false
          }),
          groupStat('metrics', 'r2', {
            mean: 0.65,
            std: 0.0707,
            min: 0.6,
            max: 0.7,
            delta: -0.305,
            rel_delta: -0.319,
            p_value: 0.04,
            significant: true,
            better: false
          })
        ]
      }
    ]
  };
}
