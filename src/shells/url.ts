/**
 * The address of a comparison page in Jupyter Notebook 7.
 *
 * Notebook 7 gives every document a page of its own (`/notebooks/<path>`,
 * `/edit/<path>`, `/terminals/<name>`) that a reload or a bookmark opens
 * again. A comparison is not one file but several notebooks, a baseline and
 * an optional filter of names, so it lives in the query of one page:
 * `{base_url}nbcompare/view?path=a.ipynb&path=b.ipynb&baseline=a.ipynb`,
 * with `group_by`, `sort` and `layout` when the panel is grouped, sorted or
 * transposed, one `expand` (a group's key as JSON) per expanded group, and
 * `chart_x`, `chart_y` (`chart_color`, `chart_log_x`) for the chart pane's
 * chart, or `charts=true` for a pane shown before it has one.
 * Pure functions, so the round trip is unit-tested without a browser.
 */
import { ICompareArgs } from '../commands';

/** The page route under the server's base URL (served by `pages.py`). */
export const COMPARE_PAGE = 'nbcompare/view';

/**
 * The router pattern of the page. JupyterLab's router matches it against
 * the request (path, query and hash) relative to the base URL.
 */
export const COMPARE_PAGE_PATTERN = /^\/nbcompare\/view\/?(?:[?#]|$)/;

/**
 * The query of a comparison: one `path` per notebook (in the order the user
 * chose), one `name` per value of a tag-browser filter, and the `baseline`
 * the user asked for, if any.
 */
export function comparisonSearchParams(args: ICompareArgs): URLSearchParams {
  const params = new URLSearchParams();
  for (const path of args.paths ?? []) {
    params.append('path', path);
  }
  for (const name of args.names ?? []) {
    params.append('name', name);
  }
  if (args.baseline) {
    params.set('baseline', args.baseline);
  }
  for (const name of args.groupBy ?? []) {
    params.append('group_by', name);
  }
  if (args.sortBy) {
    params.set('sort', args.sortBy);
  }
  if (args.layout === 'rows') {
    params.set('layout', 'rows');
  }
  for (const key of args.expanded ?? []) {
    params.append('expand', JSON.stringify(key));
  }
  if (args.chart) {
    params.set('chart_x', args.chart.x);
    params.set('chart_y', args.chart.y);
    if (args.chart.color) {
      params.set('chart_color', args.chart.color);
    }
    if (args.chart.logX) {
      params.set('chart_log_x', 'true');
    }
  } else if (args.charts) {
    params.set('charts', 'true');
  }
  return params;
}

/**
 * The comparison a page's query asks for, or null when it names no notebook
 * (an address typed by hand, or cut short): the page then says so instead of
 * comparing nothing. Empty and repeated paths are dropped; a baseline that
 * is not one of the paths is ignored, as the server would refuse it.
 */
export function parseComparisonSearch(search: string): ICompareArgs | null {
  const params = new URLSearchParams(search);
  const paths: string[] = [];
  for (const path of params.getAll('path')) {
    const clean = path.replace(/^\/+/, '');
    if (clean !== '' && !paths.includes(clean)) {
      paths.push(clean);
    }
  }
  if (paths.length === 0) {
    return null;
  }
  const args: ICompareArgs = { paths };
  const names = params.getAll('name').filter(name => name !== '');
  if (names.length > 0) {
    args.names = names;
  }
  const baseline = (params.get('baseline') ?? '').replace(/^\/+/, '');
  if (baseline !== '' && paths.includes(baseline)) {
    args.baseline = baseline;
  }
  const groupBy = Array.from(
    new Set(params.getAll('group_by').filter(name => name !== ''))
  );
  if (groupBy.length > 0) {
    args.groupBy = groupBy;
  }
  const sort = params.get('sort') ?? '';
  if (sort !== '') {
    args.sortBy = sort;
  }
  if (params.get('layout') === 'rows') {
    args.layout = 'rows';
  }
  const expanded = params.getAll('expand').flatMap(text => {
    try {
      const key = JSON.parse(text);
      return key && typeof key === 'object' && !Array.isArray(key) ? [key] : [];
    } catch {
      return []; // an address cut short: the group stays folded
    }
  });
  if (groupBy.length > 0 && expanded.length > 0) {
    args.expanded = expanded;
  }
  const x = params.get('chart_x') ?? '';
  const y = params.get('chart_y') ?? '';
  if (x !== '' && y !== '') {
    args.chart = { x, y };
    const color = params.get('chart_color') ?? '';
    if (color !== '') {
      args.chart.color = color;
    }
    if (params.get('chart_log_x') === 'true') {
      args.chart.logX = true;
    }
  } else if (params.get('charts') === 'true' || x !== '' || y !== '') {
    // the pane was shown (half a chart cut short: with its default chart)
    args.charts = true;
  }
  return args;
}

/**
 * The folder a Notebook 7 page is about: the folder of the notebook or file
 * on `/notebooks/<path>` and `/edit/<path>`, the folder of the first notebook
 * of a comparison page, or null for other pages (the tree page follows its
 * file browser instead).
 */
export function pageFolder(
  pathname: string,
  search: string,
  baseUrl: string
): string | null {
  const base = new URL(baseUrl, 'http://x').pathname.replace(/\/?$/, '/');
  if (!pathname.startsWith(base)) {
    return null;
  }
  const rest = pathname.slice(base.length);
  const dirname = (path: string) => {
    const index = path.lastIndexOf('/');
    return index < 0 ? '' : path.slice(0, index);
  };
  const document = rest.match(/^(?:notebooks|edit)\/(.+)$/);
  if (document) {
    return dirname(decodeURIComponent(document[1]));
  }
  if (COMPARE_PAGE_PATTERN.test('/' + rest)) {
    const args = parseComparisonSearch(search);
    return args ? dirname(args.paths![0]) : null;
  }
  return null;
}
