/**
 * The state of one comparison panel, without any DOM.
 *
 * It holds the server's answer, the baseline, the filter and the "only
 * differences" toggle, and emits `changed` so the views re-render. Keeping it
 * free of widgets lets jest test what users rely on: the baseline rules,
 * stale answers being dropped, refreshes that keep the user's choices, and
 * the only-differences rule with missing values.
 */
import { ServerConnection } from '@jupyterlab/services';
import { JSONObject } from '@lumino/coreutils';
import { IDisposable } from '@lumino/disposable';
import { ISignal, Signal } from '@lumino/signaling';

import { findSortRow, GridColumn, GridLayout, orderColumns } from './columns';
import {
  chooseBaseline,
  IMetricRow,
  IParameterRow,
  isMetricRow,
  metricRows,
  parameterRows,
  unreadablePaths,
  valueRowDiffers
} from './delta';
import { groupId, groupKeyId } from './groups';
import { requestAPI } from './request';
import {
  ICompareRequest,
  ICompareResponse,
  IGroup,
  INotebookInfo,
  IValueRow
} from './tokens';

/** Fetch one comparison from the server. */
export type CompareFetcher = (
  request: ICompareRequest
) => Promise<ICompareResponse>;

/** Last-modified times of the given paths (null for a missing file). */
export type StatFetcher = (
  paths: string[]
) => Promise<Record<string, string | null>>;

/** What changed in the model. */
export type ModelChange = 'data' | 'status' | 'view';

/** Options of a {@link CompareModel}. */
export interface ICompareModelOptions {
  /** The notebooks, in column order. */
  paths: string[];
  /** A baseline asked for explicitly (command argument). */
  baseline?: string | null;
  /** The pinned baseline, used when it is one of `paths`. */
  pinned?: string | null;
  /** Restrict the comparison to these names. */
  names?: string[];
  /** Direction overrides by name or `name.key` (a view's `directions`). */
  directions?: Record<string, 'lower' | 'higher'>;
  /** How to ask the server; defaults to `POST nbcompare/compare`. */
  fetch?: CompareFetcher;
  /** How to read last-modified times for live refresh; none disables it. */
  stat?: StatFetcher;
  /** Group the runs by these flattened parameters (`model_params.C`). */
  groupBy?: string[];
  /** Sort the columns by this metrics row (`tag:mse`, or a label). */
  sortBy?: string | null;
  /** Notebooks as columns (default) or as rows. */
  layout?: GridLayout;
  /** The groups shown with their runs, by their `group_by` values (`{model: 'lasso'}`). */
  expanded?: GroupKey[];
}

/** A group's `group_by` values: what names it across answers and reloads. */
export type GroupKey = JSONObject;

/** The default fetcher: `POST nbcompare/compare` through `request.ts`. */
export const fetchComparison: CompareFetcher = request =>
  requestAPI<ICompareResponse>('compare', {
    method: 'POST',
    body: JSON.stringify(request)
  });

/** The model of a comparison panel. */
export class CompareModel implements IDisposable {
  constructor(options: ICompareModelOptions) {
    this.paths = [...options.paths];
    this.names = options.names ? [...options.names] : undefined;
    this.directions = { ...options.directions };
    this._fetch = options.fetch ?? fetchComparison;
    this._stat = options.stat ?? null;
    this._baseline = chooseBaseline(
      this.paths,
      options.baseline,
      options.pinned
    );
    // An explicit baseline or a compared pin is the user's choice: it is
    // kept even when unreadable. Only the default moves to a readable one.
    this._chosen = [options.baseline, options.pinned].some(
      path => !!path && this.paths.includes(path)
    );
    if (options.baseline && this.paths.includes(options.baseline)) {
      this._requested = options.baseline;
    }
    this._groupBy = uniqueNames(options.groupBy ?? []);
    this._sortBy = options.sortBy ?? null;
    this._layout = options.layout === 'rows' ? 'rows' : 'columns';
    for (const key of options.expanded ?? []) {
      this._expanded.set(groupKeyId(key), { ...key });
    }
  }

  /** The compared notebooks, in column order. */
  readonly paths: string[];

  /** The names the comparison is restricted to, if any. */
  readonly names: string[] | undefined;

  /** Direction overrides sent with every request (empty: the server's rules). */
  readonly directions: Readonly<Record<string, 'lower' | 'higher'>>;

  /** Emitted when the data, the loading status or the view options change. */
  get changed(): ISignal<this, ModelChange> {
    return this._changed;
  }

  /** The notebook every delta is computed against. */
  get baseline(): string {
    return this._baseline;
  }

  /**
   * The baseline asked for explicitly (command argument or "Set as
   * baseline"), or null when it follows the pin or the default: what a
   * restored panel must ask for again.
   */
  get requestedBaseline(): string | null {
    return this._requested;
  }

  /** The last successful answer of the server, or null before the first. */
  get data(): ICompareResponse | null {
    return this._data;
  }

  /**
   * The baseline the shown answer was computed against. Right after
   * `setBaseline`, `baseline` is already the new one while `data` still
   * holds deltas against the old one; cells are drawn with this, so that no
   * value is ever shown against a baseline it was not compared with.
   */
  get dataBaseline(): string {
    return this._data?.baseline ?? this._baseline;
  }

  /** Whether a request is in flight. */
  get loading(): boolean {
    return this._pending > 0;
  }

  /**
   * The last request's error message, or null when it succeeded or while a
   * new request is in flight (an old failure is not shown under new progress).
   */
  get error(): string | null {
    return this._error;
  }

  /**
   * Whether the last error is the server being unreachable (the browser's
   * bare "Failed to fetch") rather than an answer of the server.
   */
  get errorIsNetwork(): boolean {
    return this._errorIsNetwork;
  }

  /** The name filter (case-insensitive substring). */
  get filter(): string {
    return this._filter;
  }
  set filter(value: string) {
    if (value !== this._filter) {
      this._filter = value;
      this._invalidate();
      this._changed.emit('view');
    }
  }

  /** Whether rows that are equal in every notebook are hidden. */
  get onlyDifferences(): boolean {
    return this._onlyDifferences;
  }
  set onlyDifferences(value: boolean) {
    if (value !== this._onlyDifferences) {
      this._onlyDifferences = value;
      this._invalidate();
      this._changed.emit('view');
    }
  }

  /**
   * The flattened parameters the runs are grouped by (empty: not grouped).
   * Changing them asks the server again, which computes the groups.
   */
  get groupBy(): string[] {
    return [...this._groupBy];
  }

  /** Group the runs by these parameters (none: ungroup), and ask again. */
  async setGroupBy(names: string[]): Promise<void> {
    const next = uniqueNames(names);
    if (next.join('\u0000') === this._groupBy.join('\u0000')) {
      return;
    }
    this._groupBy = next;
    // Other parameters make other groups: none of them is expanded yet.
    this._expanded.clear();
    this._invalidate();
    this._changed.emit('view');
    await this.refresh();
  }

  /**
   * The metrics row the columns are sorted by (its id, e.g. `tag:mse`), or
   * null for the notebooks' order.
   */
  get sortBy(): string | null {
    return this._sortBy;
  }
  set sortBy(value: string | null) {
    if (value !== this._sortBy) {
      this._sortBy = value;
      this._invalidate();
      this._changed.emit('view');
    }
  }

  /** Notebooks (or groups) as columns, or as rows for wide sweeps. */
  get layout(): GridLayout {
    return this._layout;
  }
  set layout(value: GridLayout) {
    if (value !== this._layout) {
      this._layout = value;
      this._changed.emit('view');
    }
  }

  /** The groups of the last answer, or null when it is not grouped. */
  get groups(): IGroup[] | null {
    return this._data?.groups ?? null;
  }

  /** The index of the baseline's group in `groups`. */
  get baselineGroup(): number {
    return this._data?.baseline_group ?? 0;
  }

  /** Whether a group shows its runs next to it. */
  isExpanded(group: IGroup): boolean {
    return this._expanded.has(groupId(group));
  }

  /**
   * The keys of the expanded groups, in the order they were expanded: what a
   * restored panel expands again.
   */
  get expanded(): GroupKey[] {
    return Array.from(this._expanded.values(), key => ({ ...key }));
  }

  /** Show or hide a group's runs. */
  setExpanded(group: IGroup, expanded: boolean): void {
    const id = groupId(group);
    if (expanded === this._expanded.has(id)) {
      return;
    }
    if (expanded) {
      this._expanded.set(id, { ...group.key } as GroupKey);
    } else {
      this._expanded.delete(id);
    }
    this._invalidate();
    this._changed.emit('view');
  }

  /**
   * Every metrics row of the answer, whatever the filter: what the columns
   * can be sorted by.
   */
  get sortableRows(): IMetricRow[] {
    return this._derived().sortable;
  }

  /** The metrics row the columns are sorted by, when the answer has it. */
  get sortRow(): IMetricRow | null {
    return findSortRow(this.sortableRows, this._sortBy);
  }

  /**
   * The columns of the grid (its rows when transposed), in order: the runs,
   * or the groups each followed by its runs when expanded; sorted best
   * first when a sort is set, the baseline (its group) first.
   */
  get columns(): GridColumn[] {
    return this._derived().columns;
  }

  /** The notebooks (columns) of the last answer, in column order. */
  get notebooks(): INotebookInfo[] {
    return this._data?.notebooks ?? [];
  }

  /** The parameters rows to show (filtered). */
  get parameters(): IParameterRow[] {
    return this._derived().parameters;
  }

  /** The metrics table rows to show (filtered). */
  get metrics(): IMetricRow[] {
    return this._derived().metrics;
  }

  /** Every other value (one section each) to show (filtered). */
  get others(): IValueRow[] {
    return this._derived().others;
  }

  /** Whether `dispose` was called. */
  get isDisposed(): boolean {
    return this._disposed;
  }

  /**
   * Ask the server again, with the current baseline. An answer to an older
   * request that arrives late is dropped; the filter and toggles are kept.
   *
   * When the user chose no baseline and the answer shows the default one is
   * unreadable, ask once more against the first readable notebook (once per
   * call: readability may change between answers).
   */
  async refresh(): Promise<void> {
    await this._request(true);
  }

  private async _request(mayMoveDefault: boolean): Promise<void> {
    const ticket = ++this._ticket;
    let retry = false;
    this._pending++;
    this._error = null;
    this._errorIsNetwork = false;
    this._changed.emit('status');
    try {
      const request: ICompareRequest = {
        paths: this.paths,
        baseline: this._baseline
      };
      if (this.names) {
        request.names = this.names;
      }
      if (Object.keys(this.directions).length > 0) {
        request.directions = { ...this.directions };
      }
      if (this._groupBy.length > 0) {
        request.group_by = [...this._groupBy];
      }
      const data = await this._fetch(request);
      if (ticket === this._ticket && !this._disposed) {
        this._data = data;
        this._error = null;
        this._invalidate();
        retry = mayMoveDefault && this._moveDefaultBaseline(data);
        this._changed.emit('data');
      }
    } catch (reason) {
      if (ticket === this._ticket && !this._disposed) {
        this._error =
          reason instanceof Error ? reason.message : String(reason ?? '');
        this._errorIsNetwork = reason instanceof ServerConnection.NetworkError;
      }
    } finally {
      this._pending--;
      if (!this._disposed) {
        this._changed.emit('status');
      }
    }
    if (retry && !this._disposed) {
      await this._request(false);
    }
  }

  /** Recompute every delta against another notebook (one of `paths`). */
  async setBaseline(path: string): Promise<void> {
    if (this.paths.includes(path)) {
      this._requested = path;
    }
    await this._switchBaseline(path);
  }

  private async _switchBaseline(path: string): Promise<void> {
    if (!this.paths.includes(path) || path === this._baseline) {
      return;
    }
    this._chosen = true;
    this._baseline = path;
    this._invalidate();
    this._changed.emit('view');
    await this.refresh();
  }

  /**
   * Follow the pinned baseline: when it is one of the compared notebooks it
   * becomes the baseline (and replaces an earlier "Set as baseline": the pin
   * is what a reload restores); unpinning keeps the current one, reload too.
   */
  async setPinned(path: string | null): Promise<void> {
    const requested = this._requested;
    if (path && this.paths.includes(path)) {
      this._requested = null;
      this._chosen = true; // even when it already is the (default) baseline
      if (path !== this._baseline) {
        await this._switchBaseline(path);
        return;
      }
    } else if (requested === null && this._chosen) {
      // Unpinned, or pinned to a notebook not compared here: the panel keeps
      // its baseline, and so must a restored one.
      this._requested = this._baseline;
    }
    if (this._requested !== requested) {
      this._changed.emit('view');
    }
  }

  /**
   * Live refresh: read last-modified times (cheap) and ask the server again
   * only when a compared notebook changed since the last answer.
   *
   * @returns whether a refresh was started
   */
  async checkForChanges(): Promise<boolean> {
    if (!this._stat || this.loading || this._disposed || !this._data) {
      return false;
    }
    let stamps: Record<string, string | null>;
    try {
      stamps = await this._stat(this.paths);
    } catch {
      return false;
    }
    const answered = new Map(
      this._data.notebooks.map(nb => [nb.path, nb.last_modified])
    );
    let changed = false;
    for (const path of this.paths) {
      const now = stamps[path] ?? null;
      if (this._seen.has(path)) {
        changed = changed || this._seen.get(path) !== now;
      } else {
        changed = changed || isNewer(now, answered.get(path) ?? null);
      }
      this._seen.set(path, now);
    }
    if (changed && !this._disposed) {
      await this.refresh();
    }
    return changed;
  }

  /** Drop pending answers and signal connections. */
  dispose(): void {
    if (this._disposed) {
      return;
    }
    this._disposed = true;
    Signal.clearData(this);
  }

  /**
   * Move a default baseline off an unreadable notebook. Returns whether it
   * moved (the answer's deltas are then against the wrong one). It never
   * moves to a notebook the answer calls unreadable, and `refresh` asks again
   * at most once.
   */
  private _moveDefaultBaseline(data: ICompareResponse): boolean {
    if (this._chosen) {
      return false;
    }
    const next = chooseBaseline(
      this.paths,
      null,
      null,
      unreadablePaths(data.notebooks)
    );
    if (next === this._baseline) {
      return false;
    }
    this._baseline = next;
    return true;
  }

  private _invalidate(): void {
    this._cache = null;
  }

  private _derived(): IDerived {
    if (this._cache) {
      return this._cache;
    }
    const data = this._data;
    if (!data) {
      return {
        parameters: [],
        metrics: [],
        others: [],
        sortable: [],
        columns: orderColumns({
          paths: this.paths,
          baseline: this._baseline,
          groups: null
        })
      };
    }
    const needle = this._filter.trim().toLowerCase();
    const matches = (name: string) =>
      needle === '' || name.toLowerCase().includes(needle);
    const only = this._onlyDifferences;
    const paths = this.paths;
    const sortable = metricRows(data.values.filter(isMetricRow), paths);
    this._cache = {
      sortable,
      columns: orderColumns({
        paths,
        baseline: this.dataBaseline,
        groups: data.groups ?? null,
        baselineGroup: data.baseline_group ?? 0,
        isExpanded: group => this.isExpanded(group),
        sortBy: findSortRow(sortable, this._sortBy)
      }),
      parameters: parameterRows(data.notebooks).filter(
        row => matches(row.name) && (!only || row.differs)
      ),
      metrics: sortable.filter(
        row => matches(row.label) && (!only || row.differs)
      ),
      others: data.values.filter(
        row =>
          !isMetricRow(row) &&
          matches(row.name) &&
          (!only || valueRowDiffers(row, paths))
      )
    };
    return this._cache;
  }

  private _baseline: string;
  /** Whether the baseline was chosen (request, pin, user) or defaulted. */
  private _chosen: boolean;
  private _requested: string | null = null;
  private _data: ICompareResponse | null = null;
  private _error: string | null = null;
  private _errorIsNetwork = false;
  private _filter = '';
  private _onlyDifferences = false;
  private _pending = 0;
  private _ticket = 0;
  private _disposed = false;
  private _seen = new Map<string, string | null>();
  private _groupBy: string[];
  private _sortBy: string | null;
  private _layout: GridLayout;
  /** The key of every expanded group by its `groupId` (kept across refreshes). */
  private _expanded = new Map<string, GroupKey>();
  private _cache: IDerived | null = null;
  private _fetch: CompareFetcher;
  private _stat: StatFetcher | null;
  private _changed = new Signal<this, ModelChange>(this);
}

/** What the model derives from an answer, cached until something changes. */
interface IDerived {
  parameters: IParameterRow[];
  metrics: IMetricRow[];
  others: IValueRow[];
  /** Every metrics row, unfiltered. */
  sortable: IMetricRow[];
  columns: GridColumn[];
}

/** Names without empties and repeats, in their order. */
function uniqueNames(names: string[]): string[] {
  return Array.from(new Set(names.filter(name => !!name)));
}

/** Whether a file's time is later than the one the server answered with. */
function isNewer(now: string | null, answered: string | null): boolean {
  if (now === answered) {
    return false;
  }
  if (now === null || answered === null) {
    // The file appeared or disappeared since the answer.
    return true;
  }
  const a = Date.parse(now);
  const b = Date.parse(answered);
  if (Number.isNaN(a) || Number.isNaN(b)) {
    return false;
  }
  return a > b;
}
