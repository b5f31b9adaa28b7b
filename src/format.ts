/**
 * Pure formatting helpers of the comparison panel.
 *
 * Numbers are shown with significant digits, never with a fixed number of
 * decimals: a fixed format rounds an `mse` of 1e-5 to `0.0000`, which is the
 * most common complaint about experiment dashboards.
 */
import { Label } from './tokens';

/** The minus sign used in front of negative deltas (U+2212, easier to read). */
export const MINUS = '\u2212';

/**
 * A JSON value as a number, or null when it is not one.
 *
 * The server sends non-finite numbers as the strings `NaN`, `Infinity` and
 * `-Infinity` (bare NaN is invalid JSON); booleans are not numbers here, they
 * get no deltas.
 */
export function toNumber(value: unknown): number | null {
  if (typeof value === 'number') {
    return value;
  }
  if (value === 'NaN') {
    return NaN;
  }
  if (value === 'Infinity') {
    return Infinity;
  }
  if (value === '-Infinity') {
    return -Infinity;
  }
  return null;
}

function stripZeros(text: string): string {
  // "1.2300e-5" -> "1.23e-5", "0.5000" -> "0.5", "10.00" -> "10"
  return text
    .replace(/(\.\d*?)0+(e|$)/, '$1$2')
    .replace(/\.(e|$)/, '$1')
    .replace('e+', 'e');
}

/**
 * A number with `digits` significant digits, so that small values stay visible.
 *
 * Integers up to 1e15 are shown whole; very small or very large magnitudes
 * switch to exponent notation (`1e-5`, `2.5e7`).
 */
export function formatNumber(value: number, digits = 4): string {
  if (Number.isNaN(value)) {
    return 'NaN';
  }
  if (!Number.isFinite(value)) {
    return value > 0 ? '\u221e' : `${MINUS}\u221e`;
  }
  if (value === 0) {
    return '0';
  }
  const sign = value < 0 ? MINUS : '';
  const abs = Math.abs(value);
  if (Number.isInteger(abs) && abs < 1e15) {
    return sign + String(abs);
  }
  if (abs >= 1e-3 && abs < 1e7) {
    return sign + String(Number(abs.toPrecision(digits)));
  }
  return sign + stripZeros(abs.toExponential(Math.max(0, digits - 1)));
}

/** The shortest exact representation of a number: the hover text. */
export function formatFull(value: unknown): string {
  const number = toNumber(value);
  if (number !== null) {
    return Number.isFinite(number) ? String(number) : String(value);
  }
  return formatValue(value);
}

/** A delta with an explicit sign: `+0.012`, `−3`, `0`. */
export function formatDelta(delta: number, digits = 3): string {
  if (delta === 0) {
    return '0';
  }
  const text = formatNumber(Math.abs(delta), digits);
  if (Number.isNaN(delta)) {
    return text;
  }
  return (delta > 0 ? '+' : MINUS) + text;
}

/** A relative delta (0.053) as a signed percentage (`+5.3%`). */
export function formatPercent(relDelta: number, digits = 3): string {
  if (!Number.isFinite(relDelta)) {
    return formatDelta(relDelta, digits);
  }
  return `${formatDelta(relDelta * 100, digits)}%`;
}

/** A run duration in seconds, as a person reads it: `12.3 s`, `2 min 5 s`. */
export function formatDuration(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined || !isFinite(seconds)) {
    return '';
  }
  if (seconds < 60) {
    return `${formatNumber(seconds, 3)} s`;
  }
  const total = Math.round(seconds);
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  return h > 0 ? `${h} h ${m} min` : `${m} min ${s} s`;
}

/**
 * Any JSON value as short text: numbers with significant digits, strings as
 * they are, the rest as JSON. Used for parameters and sequence items.
 */
export function formatValue(value: unknown): string {
  if (value === null || value === undefined) {
    return 'None';
  }
  if (typeof value === 'number') {
    return formatNumber(value, 6);
  }
  if (typeof value === 'boolean') {
    return value ? 'True' : 'False';
  }
  if (typeof value === 'string') {
    const number = toNumber(value);
    return number !== null ? formatNumber(number) : value;
  }
  try {
    return JSON.stringify(value);
  } catch {
    return String(value);
  }
}

/** A table label as text: a multi-level label joins its levels. */
export function labelText(label: Label): string {
  return Array.isArray(label) ? label.join(' / ') : String(label);
}

/** The file name of a Jupyter path. */
export function basename(path: string): string {
  const i = path.lastIndexOf('/');
  return i < 0 ? path : path.slice(i + 1);
}

/**
 * Shorten a name in its middle, keeping its start and (longer) its end: run
 * names that share a long prefix differ at the end (`..._seed1`, `..._seed2`),
 * which a CSS end ellipsis would hide. Counts code points, not UTF-16 units.
 */
export function middleEllipsis(text: string, max: number): string {
  const chars = Array.from(text);
  if (chars.length <= max || max < 3) {
    return text;
  }
  const keep = max - 1;
  const head = Math.floor(keep * 0.4);
  const tail = keep - head;
  return `${chars.slice(0, head).join('')}\u2026${chars.slice(-tail).join('')}`;
}

/** The folder of a Jupyter path, with its trailing slash (or ''). */
export function dirname(path: string): string {
  const i = path.lastIndexOf('/');
  return i < 0 ? '' : path.slice(0, i + 1);
}

/**
 * A stable key for a JSON value, for equality and set membership: object
 * keys are sorted, and NaN equals NaN (both are the string "NaN").
 */
export function valueKey(value: unknown): string {
  if (typeof value === 'number' && !Number.isFinite(value)) {
    return JSON.stringify(Number.isNaN(value) ? 'NaN' : String(value));
  }
  if (Array.isArray(value)) {
    return `[${value.map(valueKey).join(',')}]`;
  }
  if (value && typeof value === 'object') {
    const entries = Object.keys(value as Record<string, unknown>)
      .sort()
      .map(
        key =>
          `${JSON.stringify(key)}:${valueKey((value as Record<string, unknown>)[key])}`
      );
    return `{${entries.join(',')}}`;
  }
  return JSON.stringify(value === undefined ? null : value);
}
