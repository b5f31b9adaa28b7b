/**
 * Pure functions of the tag browser: they turn a `GET nbcompare/index`
 * answer into the rows the sidebar shows (grouped, filtered, with sparkline
 * data), and decide what "Compare" asks for. Kept free of DOM and signals so
 * they can be tested on their own and stay fast on thousands of notebooks.
 */
import { toNumber } from '../format';
import {
  IIndexResponse,
  JSONNumber,
  NotebookStatus,
  Origin,
  ValueKind
} from '../tokens';

/** One notebook that carries a name, with its value when it is a scalar. */
export interface INotebookValue {
  path: string;
  lastModified: string | null;
  status: NotebookStatus;
  kind: ValueKind;
  /** Present for scalars only (the index sends no heavy payloads). */
  value?: JSONNumber | boolean;
}

/** A point of a sparkline: `null` is a gap (a NaN or infinite value). */
export interface ISparkPoint {
  path: string;
  value: number | null;
}

/** One name of the folder, as a row of the sidebar. */
export interface INameEntry {
  /** Unique over the folder: a tag and a scrap may share a name. */
  key: string;
  name: string;
  origin: Origin;
  kind: ValueKind | 'mixed';
  count: number;
  min: number | null;
  max: number | null;
  /** The notebooks carrying the name, ordered by path (as the server lists them). */
  notebooks: INotebookValue[];
  /** Numeric values in modification order, oldest first: the sparkline. */
  series: ISparkPoint[];
}

/** The names of one origin (tags, then scraps). */
export interface INameGroup {
  origin: Origin;
  entries: INameEntry[];
}

/** What the "Compare" button asks for. */
export interface ICompareSelection {
  /** The notebooks to compare, in the order of the index (by path). */
  paths: string[];
  /** The names to restrict the comparison to; empty means all. */
  names: string[];
  /** The pinned notebook when it is among `paths`. */
  baseline: string | null;
}

/** The key of a name: its origin and name, since both identify a value. */
export function nameKey(origin: Origin, name: string): string {
  return `${origin}:${name}`;
}

/**
 * The points of a sparkline: the numeric values (booleans are not a trend)
 * in modification order, oldest first, ties broken by path so the order is
 * stable. Notebooks without a modification time come first. Non-finite
 * values are kept as gaps so that the positions still match the runs.
 */
export function sparklineSeries(notebooks: INotebookValue[]): ISparkPoint[] {
  const numeric = notebooks.filter(nb => toNumber(nb.value) !== null);
  const time = (nb: INotebookValue) =>
    nb.lastModified === null ? -Infinity : Date.parse(nb.lastModified);
  numeric.sort((a, b) => {
    const dt = time(a) - time(b);
    if (dt !== 0 && !Number.isNaN(dt)) {
      return dt;
    }
    return a.path < b.path ? -1 : a.path > b.path ? 1 : 0;
  });
  return numeric.map(nb => {
    const value = toNumber(nb.value)!;
    return { path: nb.path, value: Number.isFinite(value) ? value : null };
  });
}

/**
 * One entry per name of the index, with the notebooks that carry it. A
 * single pass over the notebooks: linear in the number of (notebook, name)
 * pairs, so thousands of notebooks stay cheap.
 */
export function buildEntries(index: IIndexResponse): INameEntry[] {
  const byKey = new Map<string, INameEntry>();
  for (const summary of index.names) {
    const key = nameKey(summary.origin, summary.name);
    byKey.set(key, {
      key,
      name: summary.name,
      origin: summary.origin,
      kind: summary.kind,
      count: summary.count,
      min: typeof summary.min === 'number' ? summary.min : null,
      max: typeof summary.max === 'number' ? summary.max : null,
      notebooks: [],
      series: []
    });
  }
  for (const notebook of index.notebooks) {
    for (const carried of notebook.names ?? []) {
      const key = nameKey(carried.origin, carried.name);
      let entry = byKey.get(key);
      if (!entry) {
        // A name missing from the summary (should not happen): still show it.
        entry = {
          key,
          name: carried.name,
          origin: carried.origin,
          kind: carried.kind,
          count: 0,
          min: null,
          max: null,
          notebooks: [],
          series: []
        };
        byKey.set(key, entry);
      }
      entry.notebooks.push({
        path: notebook.path,
        lastModified: notebook.last_modified,
        status: notebook.status,
        kind: carried.kind,
        value: carried.value
      });
    }
  }
  for (const entry of byKey.values()) {
    entry.notebooks.sort((a, b) =>
      a.path < b.path ? -1 : a.path > b.path ? 1 : 0
    );
    if (entry.count === 0) {
      entry.count = entry.notebooks.length;
    }
    entry.series = sparklineSeries(entry.notebooks);
  }
  return Array.from(byKey.values());
}

/** The words of a search: every one must appear in the name (any case). */
export function queryTerms(query: string): string[] {
  return query
    .toLowerCase()
    .split(/\s+/)
    .filter(term => term.length > 0);
}

/** Whether a name matches the search box. */
export function matchesQuery(entry: INameEntry, terms: string[]): boolean {
  if (terms.length === 0) {
    return true;
  }
  const name = entry.name.toLowerCase();
  return terms.every(term => name.includes(term));
}

const collator = new Intl.Collator(undefined, {
  numeric: true,
  sensitivity: 'base'
});

/**
 * Group the names by origin, tags first, each group sorted naturally by name
 * (`run2` before `run10`). Empty groups are left out.
 */
export function groupEntries(entries: INameEntry[]): INameGroup[] {
  const groups: INameGroup[] = [];
  for (const origin of ['tag', 'scrap'] as Origin[]) {
    const members = entries
      .filter(entry => entry.origin === origin)
      .sort(
        (a, b) => collator.compare(a.name, b.name) || (a.name < b.name ? -1 : 1)
      );
    if (members.length > 0) {
      groups.push({ origin, entries: members });
    }
  }
  return groups;
}

/** Filter then group: what the sidebar lists for a search. */
export function visibleGroups(
  entries: INameEntry[],
  query: string
): INameGroup[] {
  const terms = queryTerms(query);
  return groupEntries(entries.filter(entry => matchesQuery(entry, terms)));
}

/**
 * What "Compare" asks for. The ticked notebooks are the columns; when no
 * notebook is ticked, every notebook that carries a ticked name is. Names
 * are deduplicated (a tag and a scrap of one name are one request name).
 */
export function compareSelection(
  entries: INameEntry[],
  tickedNames: ReadonlySet<string>,
  tickedPaths: ReadonlySet<string>,
  pinned: string | null
): ICompareSelection {
  const names: string[] = [];
  const ticked = entries.filter(entry => tickedNames.has(entry.key));
  for (const entry of ticked) {
    if (!names.includes(entry.name)) {
      names.push(entry.name);
    }
  }
  let paths: string[];
  if (tickedPaths.size > 0) {
    paths = Array.from(tickedPaths);
  } else {
    const carrying = new Set<string>();
    for (const entry of ticked) {
      for (const nb of entry.notebooks) {
        carrying.add(nb.path);
      }
    }
    paths = Array.from(carrying);
  }
  paths.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const baseline = pinned !== null && paths.includes(pinned) ? pinned : null;
  return { paths, names, baseline };
}

/** A number as the sidebar shows it: at most 4 significant digits. */
export function formatNumber(value: number): string {
  if (!Number.isFinite(value)) {
    return Number.isNaN(value) ? 'NaN' : value > 0 ? '∞' : '−∞';
  }
  if (value === 0) {
    return '0';
  }
  const magnitude = Math.abs(value);
  if (magnitude >= 1e6 || magnitude < 1e-3) {
    return value.toExponential(2);
  }
  return String(Number(value.toPrecision(4)));
}

/** A notebook's scalar value as text (empty when the index has none). */
export function formatValue(value: JSONNumber | boolean | undefined): string {
  if (typeof value === 'boolean') {
    return value ? 'True' : 'False';
  }
  const number = toNumber(value);
  return number === null ? '' : formatNumber(number);
}

/** The geometry of a sparkline, in the SVG's user units. */
export interface ISparklineGeometry {
  /**
   * The line, split at gaps (a segment of one point is a dot): the values
   * themselves, or for a long series the mean of each bucket.
   */
  segments: [number, number][][];
  /**
   * For a long series only: polygons (one per stretch without gaps) of each
   * bucket's minimum and maximum, so spikes stay visible around the line.
   */
  bands: [number, number][][];
  /** The position of the latest value (or bucket), to draw a dot on it. */
  last: [number, number] | null;
}

/** The minimum, maximum and mean of one slice of a series. */
export interface IBucket {
  min: number;
  max: number;
  mean: number;
}

/**
 * Cut a series into `count` consecutive slices of (nearly) equal length and
 * summarise each; a slice without a finite value is `null` (a gap).
 */
export function bucketize(
  values: (number | null)[],
  count: number
): (IBucket | null)[] {
  const buckets: (IBucket | null)[] = [];
  const size = values.length / count;
  for (let b = 0; b < count; b++) {
    const start = Math.floor(b * size);
    const end = Math.max(start + 1, Math.floor((b + 1) * size));
    let min = Infinity;
    let max = -Infinity;
    let sum = 0;
    let n = 0;
    for (let i = start; i < end && i < values.length; i++) {
      const v = values[i];
      if (v === null) {
        continue;
      }
      min = Math.min(min, v);
      max = Math.max(max, v);
      sum += v;
      n++;
    }
    buckets.push(n === 0 ? null : { min, max, mean: sum / n });
  }
  return buckets;
}

/**
 * Scale a series into a `width` x `height` box (y grows downwards), with
 * `pad` units kept free at the edges. A series longer than `maxPoints` is
 * drawn as the mean of `maxPoints` buckets inside a band from each bucket's
 * minimum to its maximum: the trend stays readable and no spike is lost.
 */
export function sparklineGeometry(
  values: (number | null)[],
  width: number,
  height: number,
  pad = 1.5,
  maxPoints = 48
): ISparklineGeometry {
  const reduced = values.length > maxPoints;
  const buckets: (IBucket | null)[] = reduced
    ? bucketize(values, maxPoints)
    : values.map(v => (v === null ? null : { min: v, max: v, mean: v }));
  const present = buckets.filter((b): b is IBucket => b !== null);
  if (present.length === 0) {
    return { segments: [], bands: [], last: null };
  }
  const lo = Math.min(...present.map(b => b.min));
  const hi = Math.max(...present.map(b => b.max));
  const n = buckets.length;
  const x = (i: number) =>
    round(n === 1 ? width / 2 : pad + (i * (width - 2 * pad)) / (n - 1));
  const y = (v: number) =>
    round(
      hi === lo ? height / 2 : pad + ((hi - v) * (height - 2 * pad)) / (hi - lo)
    );

  const segments: [number, number][][] = [];
  const bands: [number, number][][] = [];
  let line: [number, number][] = [];
  let upper: [number, number][] = [];
  let lower: [number, number][] = [];
  let last: [number, number] | null = null;
  const close = () => {
    if (line.length > 0) {
      segments.push(line);
      if (reduced) {
        bands.push([...upper, ...lower.reverse()]);
      }
    }
    line = [];
    upper = [];
    lower = [];
  };
  buckets.forEach((bucket, i) => {
    if (bucket === null) {
      close();
      return;
    }
    last = [x(i), y(bucket.mean)];
    line.push(last);
    upper.push([x(i), y(bucket.max)]);
    lower.push([x(i), y(bucket.min)]);
  });
  close();
  return { segments, bands, last };
}

function round(v: number): number {
  return Math.round(v * 100) / 100;
}
