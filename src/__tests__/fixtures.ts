/**
 * A compare response shaped like the server's answer for three papermill runs
 * of examples/template.ipynb (values trimmed), for the model and view tests.
 */
import { ICompareResponse, IValueRow } from '../tokens';

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
