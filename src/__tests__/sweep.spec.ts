/**
 * Groups, sorting and "runs as rows" in the model and in the panel's DOM:
 * what is asked of the server, the order of the columns, and what a group
 * cell shows.
 */
import { nullTranslator } from '@jupyterlab/translation';
import { Widget } from '@lumino/widgets';

import { restoreArgs, viewArgs } from '../commands';
import { CompareModel } from '../model';
import { comparisonSearchParams, parseComparisonSearch } from '../shells/url';
import { ICompareRequest, ICompareResponse } from '../tokens';
import { ComparePanel } from '../widgets/ComparePanel';
import { S, sweepResponse } from './fixtures';

jest.mock('../request', () => ({
  requestAPI: jest.fn(),
  serverURL: (url: string) => `/${url}`
}));

const PATHS = Object.values(S);

/** A server that answers the sweep, grouped only when asked to. */
function server() {
  const requests: ICompareRequest[] = [];
  const fetch = async (request: ICompareRequest): Promise<ICompareResponse> => {
    requests.push(request);
    const data = sweepResponse();
    data.baseline = request.baseline ?? data.baseline;
    if (!request.group_by) {
      delete data.groups;
      delete data.baseline_group;
    }
    return data;
  };
  return { requests, fetch };
}

/** The path or group index of every column, in order. */
function order(model: CompareModel): (string | number)[] {
  return model.columns.map(c => (c.kind === 'run' ? c.path : c.group));
}

afterEach(() => {
  document.body.replaceChildren();
});

describe('CompareModel: groups, sort and layout', () => {
  it('asks the server for group_by only when grouped, and again on change', async () => {
    const { requests, fetch } = server();
    const model = new CompareModel({ paths: PATHS, fetch });
    await model.refresh();
    expect(requests[0].group_by).toBeUndefined();
    expect(model.groups).toBeNull();
    const changes: string[] = [];
    model.changed.connect((_, change) => changes.push(change));
    // When the user groups by model
    await model.setGroupBy(['model', 'model']);
    // Then the server was asked with the names (once each) and groups show
    expect(requests[1].group_by).toEqual(['model']);
    expect(model.groupBy).toEqual(['model']);
    expect(changes[0]).toBe('view');
    expect(changes).toContain('data');
    expect(order(model)).toEqual([0, 1, 2]);
    // the same grouping again asks nothing
    await model.setGroupBy(['model']);
    expect(requests).toHaveLength(2);
    // and ungrouping asks without group_by
    await model.setGroupBy([]);
    expect(requests[2].group_by).toBeUndefined();
    expect(order(model)).toEqual(PATHS);
  });

  it('starts grouped, sorted and transposed from its options (a restored panel)', async () => {
    const { requests, fetch } = server();
    const model = new CompareModel({
      paths: PATHS,
      fetch,
      groupBy: ['model'],
      sortBy: 'mse',
      layout: 'rows'
    });
    await model.refresh();
    expect(requests[0].group_by).toEqual(['model']);
    expect(model.layout).toBe('rows');
    expect(model.sortRow?.id).toBe('tag:mse');
  });

  it('sorts the columns best first with the baseline first, and back', async () => {
    const { fetch } = server();
    const model = new CompareModel({ paths: PATHS, baseline: S.l1, fetch });
    await model.refresh();
    const views: string[] = [];
    model.changed.connect((_, change) => views.push(change));
    model.sortBy = 'tag:metrics.r2';
    expect(views).toEqual(['view']);
    // r2 is higher-is-better: the baseline, then 0.96, 0.955, 0.95, 0.7, 0.6
    expect(order(model)).toEqual([S.l1, S.r1, S.l0, S.r0, S.s1, S.s0, S.lf]);
    model.sortBy = null;
    expect(order(model)).toEqual(PATHS);
  });

  it('keeps the sort when the filter hides its row', async () => {
    const { fetch } = server();
    const model = new CompareModel({ paths: PATHS, fetch, sortBy: 'mse' });
    await model.refresh();
    model.filter = 'r2';
    expect(model.metrics.map(m => m.id)).toEqual(['tag:metrics.r2']);
    expect(model.sortRow?.id).toBe('tag:mse');
    expect(order(model)[1]).toBe(S.r1);
  });

  it('expands a group into its runs, and keeps it expanded across refreshes', async () => {
    const { fetch } = server();
    const model = new CompareModel({ paths: PATHS, fetch, groupBy: ['model'] });
    await model.refresh();
    const lasso = model.groups![1];
    model.setExpanded(lasso, true);
    expect(order(model)).toEqual([0, 1, S.l0, S.l1, S.lf, 2]);
    await model.refresh();
    expect(model.isExpanded(model.groups![1])).toBe(true);
    model.setExpanded(model.groups![1], false);
    expect(order(model)).toEqual([0, 1, 2]);
  });

  it('starts with the groups it is given expanded, says which, and folds them on regrouping', async () => {
    // Given a restored panel whose lasso group was expanded
    const { fetch } = server();
    const model = new CompareModel({
      paths: PATHS,
      fetch,
      groupBy: ['model'],
      expanded: [{ model: 'lasso' }]
    });
    await model.refresh();
    // Then lasso shows its runs
    expect(order(model)).toEqual([0, 1, S.l0, S.l1, S.lf, 2]);
    expect(model.expanded).toEqual([{ model: 'lasso' }]);
    // and expanding another adds its key, in the order expanded
    model.setExpanded(model.groups![2], true);
    expect(model.expanded).toEqual([{ model: 'lasso' }, { model: 'svm' }]);
    // When the runs are grouped by something else
    await model.setGroupBy(['seed']);
    // Then no group of the new grouping is expanded
    expect(model.expanded).toEqual([]);
    expect(model.columns.every(c => c.kind === 'group')).toBe(true);
  });

  it('switches the layout with a view change', () => {
    const model = new CompareModel({ paths: PATHS, fetch: server().fetch });
    const changes: string[] = [];
    model.changed.connect((_, change) => changes.push(change));
    model.layout = 'rows';
    model.layout = 'rows';
    expect(changes).toEqual(['view']);
    expect(model.layout).toBe('rows');
  });
});

describe('restoring and addressing a grouped comparison', () => {
  it('keeps the grouping, sort and layout across a reload', () => {
    expect(
      restoreArgs({
        paths: PATHS,
        requestedBaseline: null,
        groupBy: ['model', 'model_params.alpha'],
        sortBy: 'tag:mse',
        gridLayout: 'rows'
      })
    ).toEqual({
      paths: PATHS,
      groupBy: ['model', 'model_params.alpha'],
      sortBy: 'tag:mse',
      layout: 'rows'
    });
    // the defaults are left out
    expect(
      restoreArgs({
        paths: PATHS,
        requestedBaseline: null,
        groupBy: [],
        sortBy: null,
        gridLayout: 'columns'
      })
    ).toEqual({ paths: PATHS });
  });

  it('keeps the expanded groups across a reload, only when grouped', () => {
    const expanded = [{ model: 'lasso' }, { model: 'svm' }];
    expect(
      restoreArgs({
        paths: PATHS,
        requestedBaseline: null,
        groupBy: ['model'],
        expanded
      })
    ).toEqual({ paths: PATHS, groupBy: ['model'], expanded });
    expect(
      restoreArgs({
        paths: PATHS,
        requestedBaseline: null,
        groupBy: ['model'],
        expanded: []
      })
    ).toEqual({ paths: PATHS, groupBy: ['model'] });
    // the command takes them back, objects only, and only with a grouping
    expect(
      viewArgs({
        groupBy: ['model'],
        expanded: [...expanded, 'x', null, [1]] as any
      })
    ).toEqual({ groupBy: ['model'], expanded });
    expect(viewArgs({ expanded })).toEqual({});
  });

  it('opens a panel with the expanded groups of its arguments', async () => {
    // Given the arguments a saved, expanded panel is restored with
    const args = viewArgs(
      restoreArgs({
        paths: PATHS,
        requestedBaseline: null,
        groupBy: ['model'],
        expanded: [{ model: 'svm' }]
      })
    );
    const panel = new ComparePanel({
      paths: PATHS,
      ...args,
      translator: nullTranslator,
      pollInterval: 0
    });
    expect(panel.expanded).toEqual([{ model: 'svm' }]);
    panel.dispose();
  });

  it('takes the command’s view arguments, checked', () => {
    expect(viewArgs({ groupBy: ['model', ''], sortBy: 'mse' })).toEqual({
      groupBy: ['model'],
      sortBy: 'mse'
    });
    expect(viewArgs({ groupBy: 'model' as any, layout: 'rows' })).toEqual({
      groupBy: ['model'],
      layout: 'rows'
    });
    expect(
      viewArgs({ groupBy: [1] as any, sortBy: 2 as any, layout: 'x' as any })
    ).toEqual({});
  });

  it('round-trips through a Notebook 7 address', () => {
    const args = {
      paths: [S.r0, S.l0],
      groupBy: ['model', 'seed'],
      sortBy: 'tag:metrics.r2',
      layout: 'rows' as const,
      expanded: [
        { model: 'lasso', seed: 1 },
        { model: 'svm', seed: null }
      ]
    };
    const search = `?${comparisonSearchParams(args).toString()}`;
    expect(parseComparisonSearch(search)).toEqual(args);
    // an expanded group cut short in the address is left folded
    expect(
      parseComparisonSearch(
        `?path=a.ipynb&group_by=model&expand=%7B&expand=%7B%22model%22%3A1%7D`
      )!.expanded
    ).toEqual([{ model: 1 }]);
  });
});

describe('the chart pane in a Notebook 7 address', () => {
  it('round-trips the chart, and a pane shown without one', () => {
    const chart = {
      paths: [S.r0, S.l0],
      chart: { x: 'alpha', y: 'metric:mse', color: 'param:model', logX: true }
    };
    const search = (args: object) =>
      `?${comparisonSearchParams(args).toString()}`;
    expect(parseComparisonSearch(search(chart))).toEqual(chart);
    const plain = { paths: [S.r0], chart: { x: 'alpha', y: 'mse' } };
    expect(search(plain)).toBe(
      `?path=${encodeURIComponent(S.r0)}&chart_x=alpha&chart_y=mse`
    );
    expect(parseComparisonSearch(search(plain))).toEqual(plain);
    const shown = { paths: [S.r0], charts: true };
    expect(parseComparisonSearch(search(shown))).toEqual(shown);
    // half a chart (an address cut short) still shows the pane, by default
    expect(parseComparisonSearch('?path=a.ipynb&chart_x=alpha')).toEqual({
      paths: ['a.ipynb'],
      charts: true
    });
    expect(parseComparisonSearch('?path=a.ipynb')).toEqual({
      paths: ['a.ipynb']
    });
  });
});

describe('ComparePanel with groups (DOM)', () => {
  async function panelOf(options: Partial<{ layout: 'rows' | 'columns' }>) {
    const { fetch } = server();
    const model = new CompareModel({
      paths: PATHS,
      fetch,
      groupBy: ['model'],
      ...options
    });
    const panel = new ComparePanel({
      paths: PATHS,
      model,
      translator: nullTranslator,
      pollInterval: 0
    });
    Widget.attach(panel, document.body);
    await model.refresh();
    return { panel, model };
  }

  const groupCell = (panel: ComparePanel, key: string, group: number) =>
    panel.node.querySelector(
      `.jp-NbCompare-row[data-key="${key}"] .jp-NbCompare-cell[data-group="${group}"]`
    ) as HTMLElement;

  it('shows one column per group with mean ± std, n, and the verdict', async () => {
    const { panel } = await panelOf({});
    const headers = panel.node.querySelectorAll('.jp-NbCompare-groupHeader');
    expect(headers).toHaveLength(3);
    expect(headers[0].textContent).toContain('Baseline group');
    expect(headers[1].textContent).toContain('3 runs');
    expect(headers[1].textContent).toContain('1 failed');
    const ridge = groupCell(panel, 'm:tag:mse', 0);
    expect(ridge.querySelector('.jp-NbCompare-value')!.textContent).toBe(
      '0.55 \u00b1 0.071'
    );
    expect(ridge.querySelector('.jp-NbCompare-n')!.textContent).toBe('n=2');
    expect(ridge.querySelector('.jp-NbCompare-verdict')).toBeNull();
    const lasso = groupCell(panel, 'm:tag:mse', 1);
    expect(lasso.querySelector('.jp-NbCompare-verdict')!.textContent).toBe(
      '\u2248 within noise'
    );
    expect(lasso.querySelector('.jp-NbCompare-delta')!.className).not.toMatch(
      /jp-mod-(better|worse)/
    );
    const svm = groupCell(panel, 'm:tag:metrics.r2', 2);
    expect(svm.querySelector('.jp-NbCompare-verdict')!.textContent).toBe(
      '\u2717 worse'
    );
    // min and max are in the hover text and the screen reader's text
    const title = svm
      .querySelector('.jp-NbCompare-groupCell')!
      .getAttribute('title')!;
    expect(title).toContain('min: 0.6');
    expect(title).toContain('max: 0.7');
    expect(svm.querySelector('.jp-NbCompare-srOnly')!.textContent).toBe(title);
    panel.dispose();
  });

  it('expands a group from its header, with aria-expanded', async () => {
    const { panel } = await panelOf({});
    const toggle = panel.node.querySelector(
      '.jp-NbCompare-groupHeader[data-group="1"] .jp-NbCompare-groupToggle'
    ) as HTMLButtonElement;
    expect(toggle.getAttribute('aria-expanded')).toBe('false');
    toggle.click();
    const expanded = panel.node.querySelector(
      '.jp-NbCompare-groupHeader[data-group="1"] .jp-NbCompare-groupToggle'
    )!;
    expect(expanded.getAttribute('aria-expanded')).toBe('true');
    const runs = Array.from(
      panel.node.querySelectorAll(
        '.jp-NbCompare-headerRow .jp-NbCompare-cell.jp-mod-member'
      )
    ).map(cell => (cell as HTMLElement).dataset.path);
    expect(runs).toEqual([S.l0, S.l1, S.lf]);
    panel.dispose();
  });

  it('lays runs out as rows, sortable from a column header with aria-sort', async () => {
    const { panel, model } = await panelOf({ layout: 'rows' });
    const rowKeys = () =>
      Array.from(panel.node.querySelectorAll('.jp-NbCompare-runRow')).map(
        row => (row as HTMLElement).dataset.key
      );
    expect(rowKeys()).toEqual([
      'g:{"model":"ridge"}',
      'g:{"model":"lasso"}',
      'g:{"model":"svm"}'
    ]);
    // a metric is a column whose header sorts
    const header = () =>
      panel.node.querySelector(
        '.jp-NbCompare-headerRow .jp-NbCompare-cell[data-field="m:tag:metrics.r2"] [role="columnheader"]'
      ) as HTMLElement;
    expect(header().getAttribute('aria-sort')).toBe('none');
    (header().querySelector('.jp-NbCompare-sortButton') as HTMLElement).click();
    expect(model.sortBy).toBe('tag:metrics.r2');
    expect(header().getAttribute('aria-sort')).toBe('descending');
    // the group cells are the same views, one row per group
    const cell = panel.node.querySelector(
      '.jp-NbCompare-runRow[data-key=\'g:{"model":"lasso"}\'] .jp-NbCompare-cell[data-field="m:tag:mse"]'
    )!;
    expect(cell.textContent).toContain('within noise');
    panel.dispose();
  });

  it('tints a parameter column that differs when runs are rows, as its row in columns', async () => {
    // Given a sweep where every run has the same seed
    const fetch = async (request: ICompareRequest) => {
      const data = sweepResponse();
      delete data.groups;
      delete data.baseline_group;
      for (const nb of data.notebooks) {
        nb.parameters.seed = { value: 7, injected: true };
        nb.parameters_flat!.seed = { value: 7, injected: true };
      }
      return data;
    };
    const model = new CompareModel({ paths: PATHS, fetch });
    const panel = new ComparePanel({
      paths: PATHS,
      model,
      translator: nullTranslator,
      pollInterval: 0
    });
    Widget.attach(panel, document.body);
    await model.refresh();
    const tinted = (selector: string) =>
      Array.from(panel.node.querySelectorAll(selector)).map(cell =>
        cell.classList.contains('jp-mod-differs')
      );
    // In the columns layout the differing parameter's row is tinted
    expect(
      panel.node
        .querySelector('.jp-NbCompare-row[data-key="p:model"]')!
        .classList.contains('jp-mod-differs')
    ).toBe(true);
    // When the runs become rows
    model.layout = 'rows';
    // Then every cell of the differing parameter's column is tinted
    const model_ = tinted('.jp-NbCompare-runRow [data-field="p:model"]');
    expect(model_).toHaveLength(PATHS.length);
    expect(model_.every(Boolean)).toBe(true);
    // and those of the parameter every run shares are not
    const seed = tinted('.jp-NbCompare-runRow [data-field="p:seed"]');
    expect(seed).toHaveLength(PATHS.length);
    expect(seed.some(Boolean)).toBe(false);
    // nor the metric columns (only parameters are tinted, as in columns)
    expect(
      tinted('.jp-NbCompare-runRow [data-field="m:tag:mse"]').some(Boolean)
    ).toBe(false);
    // and the column headers carry the ≠ / = sign of the row labels
    const sign = (field: string) =>
      panel.node.querySelector(
        `.jp-NbCompare-headerRow [data-field="${field}"] .jp-NbCompare-differs`
      )!;
    expect(sign('p:model').textContent).toBe('\u2260');
    expect(sign('p:model').classList.contains('jp-mod-differs')).toBe(true);
    expect(sign('p:seed').textContent).toBe('=');
    expect(sign('m:tag:mse').textContent).toBe('\u2260');
    panel.dispose();
  });

  it('groups from the toolbar’s checkboxes, and says what it groups by', async () => {
    const { fetch, requests } = server();
    const model = new CompareModel({ paths: PATHS, fetch });
    const panel = new ComparePanel({
      paths: PATHS,
      model,
      translator: nullTranslator,
      pollInterval: 0
    });
    Widget.attach(panel, document.body);
    await model.refresh();
    const button = panel.node.querySelector(
      '.jp-NbCompare-groupByButton'
    ) as HTMLButtonElement;
    button.click();
    expect(button.getAttribute('aria-expanded')).toBe('true');
    const box = panel.node.querySelector(
      'input[data-name="model_params.alpha"]'
    ) as HTMLInputElement;
    expect(document.activeElement?.getAttribute('data-name')).toBe('model');
    box.click();
    await new Promise(resolve => setTimeout(resolve, 0));
    expect(requests[requests.length - 1].group_by).toEqual([
      'model_params.alpha'
    ]);
    expect(button.textContent).toContain('Group by: model_params.alpha');
    expect(panel.node.dataset.groupBy).toBe('model_params.alpha');
    // Escape closes the list and gives focus back to the button
    box.dispatchEvent(
      new KeyboardEvent('keydown', { key: 'Escape', bubbles: true })
    );
    expect(button.getAttribute('aria-expanded')).toBe('false');
    expect(document.activeElement).toBe(button);
    panel.dispose();
  });

  it('sorts from the toolbar and toggles runs as rows with aria-pressed', async () => {
    const { panel, model } = await panelOf({});
    const select = panel.node.querySelector(
      '.jp-NbCompare-sort'
    ) as HTMLSelectElement;
    expect(Array.from(select.options).map(o => o.value)).toEqual([
      '',
      'tag:mse',
      'tag:metrics.r2'
    ]);
    select.value = 'tag:mse';
    select.dispatchEvent(new Event('change'));
    expect(model.sortBy).toBe('tag:mse');
    const rows = panel.node.querySelector(
      '.jp-NbCompare-layoutRows'
    ) as HTMLButtonElement;
    expect(rows.getAttribute('aria-pressed')).toBe('false');
    rows.click();
    expect(model.layout).toBe('rows');
    expect(rows.getAttribute('aria-pressed')).toBe('true');
    expect(panel.node.dataset.layout).toBe('rows');
    panel.dispose();
  });
});
