/**
 * The groups of a grouped comparison in the panel's exports (CSV, Markdown,
 * HTML), laid out as the command line lays them out with `--group-by`
 * (`jupyterlab_nbcompare/report_groups.py`): one row per group and
 * statistic, the group-by parameters first, then {@link TIDY_COLUMNS}. The
 * rows are the server's figures as they are (`core/groups.py` `tidy_rows`,
 * which the Python API's `NotebookCollection.groups` returns too), never
 * recomputed here.
 *
 * A golden fixture (`tests/files/groups/golden.json`, written by
 * `tests/groups_golden.py`) holds the command line's output for real grouped
 * answers; jest checks these functions against it and pytest checks the
 * command line, so a user gets the same table from both. Known difference:
 * a JSON answer does not tell `3` from `3.0`, so in the CSV a whole number
 * that is a float in the runs (a parameter `C = 1.0`, a `min` or `max`) is
 * written `1` where the command line writes `1.0`; means, spreads and deltas
 * are always floats and are written as such.
 */
import { toNumber } from './format';
import { ICompareResponse } from './tokens';

/** The statistics columns after the group-by parameters (`core/groups.py`). */
export const TIDY_COLUMNS = [
  'name',
  'key',
  'n',
  'mean',
  'std',
  'min',
  'max',
  'delta',
  'rel_delta',
  'significant',
  'better',
  'origin'
] as const;

/**
 * The statistics the server always computes as floats (a mean of whole
 * numbers is `3.0`): written as floats whatever JSON made of them.
 */
const FLOAT_COLUMNS = new Set(['mean', 'std', 'delta', 'rel_delta']);

/** One row of the groups table: a column's value by its name. */
export type TidyRow = Record<string, unknown>;

/**
 * `[columns, rows]`: the answer's groups, one row per group and statistic
 * (spelled non-finite numbers, `"NaN"`, as numbers). Null when not grouped.
 */
export function tidyRows(
  answer: ICompareResponse
): [string[], TidyRow[]] | null {
  const groups = answer.groups;
  if (!groups) {
    return null;
  }
  const parameters = groups.length > 0 ? Object.keys(groups[0].key) : [];
  const rows: TidyRow[] = [];
  for (const group of groups) {
    for (const stat of group.stats) {
      const row: TidyRow = { ...group.key };
      for (const column of TIDY_COLUMNS) {
        const value = (stat as unknown as Record<string, unknown>)[column];
        const number = typeof value === 'string' ? toNumber(value) : null;
        row[column] = number !== null ? number : (value ?? null);
      }
      rows.push(row);
    }
  }
  return [[...parameters, ...TIDY_COLUMNS], rows];
}

/** The groups section's title, as the command line words it. */
function title(answer: ICompareResponse): string {
  return `Groups (baseline group ${answer.baseline_group ?? 0})`;
}

/**
 * The groups as tidy CSV, which the command line writes instead of the
 * comparison (two tables in one CSV would break every reader): numbers as
 * Python writes them, text guarded against formulas.
 */
export function groupsCsv(answer: ICompareResponse): string | null {
  const table = tidyRows(answer);
  if (!table) {
    return null;
  }
  const [columns, rows] = table;
  const line = (fields: string[]) => fields.map(csvQuote).join(',');
  const lines = [line(columns.map(csvText))];
  for (const row of rows) {
    lines.push(
      line(
        columns.map(column => {
          const value = row[column];
          return typeof value === 'number'
            ? pythonRepr(value, FLOAT_COLUMNS.has(column))
            : csvText(groupText(value));
        })
      )
    );
  }
  return `${lines.join('\n')}\n`;
}

/**
 * The groups as escaped text, a header then one line per row
 * (`report_groups._lines`): what the Markdown and HTML sections show.
 */
function textLines(
  answer: ICompareResponse,
  escape: (text: string) => string
): string[][] | null {
  const table = tidyRows(answer);
  if (!table) {
    return null;
  }
  const [columns, rows] = table;
  return [
    columns.map(escape),
    ...rows.map(row => columns.map(column => escape(groupText(row[column]))))
  ];
}

/** The groups as a Markdown section, to follow the comparison. */
export function groupsMarkdown(
  answer: ICompareResponse,
  escape: (text: string) => string
): string | null {
  const lines = textLines(answer, escape);
  if (!lines) {
    return null;
  }
  const [head, ...rows] = lines;
  const out = ['', `### ${title(answer)}`, ''];
  out.push(`| ${head.join(' | ')} |`, `|${'---|'.repeat(head.length)}`);
  out.push(...rows.map(row => `| ${row.join(' | ')} |`));
  return `${out.join('\n')}\n`;
}

/** The groups as an HTML section, to go before the end of the body. */
export function groupsHtml(
  answer: ICompareResponse,
  escape: (text: string) => string
): string | null {
  const lines = textLines(answer, escape);
  if (!lines) {
    return null;
  }
  const [head, ...rows] = lines;
  const cells = (tag: string, line: string[]) =>
    line.map(text => `<${tag}>${text}</${tag}>`).join('');
  return (
    `<h2>${escape(title(answer))}</h2>` +
    `<table class="groups"><thead><tr>${cells('th', head)}</tr></thead>` +
    `<tbody>${rows.map(row => `<tr>${cells('td', row)}</tr>`).join('')}</tbody></table>`
  );
}

/**
 * A cell as people read it (`report_groups._text`): numbers to six
 * significant digits, booleans as Python spells them, text as it is, the
 * rest as JSON.
 */
export function groupText(value: unknown): string {
  if (value === null || value === undefined) {
    return '';
  }
  if (typeof value === 'boolean') {
    return value ? 'True' : 'False';
  }
  if (typeof value === 'number') {
    return formatG6(value);
  }
  if (typeof value === 'string') {
    return value;
  }
  return pythonJson(value);
}

/** A number as Python's `f"{x:.6g}"` writes it (an integer as `str`). */
export function formatG6(value: number): string {
  if (Number.isNaN(value)) {
    return 'NaN';
  }
  if (!Number.isFinite(value)) {
    return value > 0 ? 'Infinity' : '-Infinity';
  }
  if (Number.isInteger(value)) {
    return String(value);
  }
  const [mantissa, exp] = value.toExponential(5).split('e');
  const exponent = Number(exp);
  const trim = (text: string) =>
    text.includes('.') ? text.replace(/0+$/, '').replace(/\.$/, '') : text;
  if (exponent < -4 || exponent >= 6) {
    return `${trim(mantissa)}${pythonExponent(exponent)}`;
  }
  return trim(value.toFixed(5 - exponent));
}

/**
 * A number as Python's `repr` writes it: a whole number as an integer, or
 * as a float (`3.0`) when `isFloat`.
 */
export function pythonRepr(value: number, isFloat = false): string {
  if (Number.isNaN(value)) {
    return 'nan';
  }
  if (!Number.isFinite(value)) {
    return value > 0 ? 'inf' : '-inf';
  }
  if (Number.isInteger(value) && Math.abs(value) < 1e16) {
    return isFloat ? `${value}.0` : String(value);
  }
  const [mantissa, exp] = value.toExponential().split('e');
  const exponent = Number(exp);
  if (exponent >= -4 && exponent < 16) {
    return String(value); // both write the shortest digits, unexponented
  }
  return `${mantissa}${pythonExponent(exponent)}`;
}

/** `e-05`, `e+16`: Python's exponent, at least two digits. */
function pythonExponent(exponent: number): string {
  const digits = String(Math.abs(exponent)).padStart(2, '0');
  return `e${exponent < 0 ? '-' : '+'}${digits}`;
}

/** `json.dumps(value, ensure_ascii=False)`: Python's separators. */
function pythonJson(value: unknown): string {
  if (Array.isArray(value)) {
    return `[${value.map(pythonJson).join(', ')}]`;
  }
  if (value && typeof value === 'object') {
    return `{${Object.entries(value as Record<string, unknown>)
      .map(([key, item]) => `${JSON.stringify(key)}: ${pythonJson(item)}`)
      .join(', ')}}`;
  }
  if (typeof value === 'number') {
    return Number.isFinite(value) ? String(value) : groupText(value);
  }
  return value === undefined ? 'null' : JSON.stringify(value);
}

/** Characters a CSV text shows as `\xNN` (`report._CSV_UNPRINTABLE`). */
const CSV_UNPRINTABLE =
  // eslint-disable-next-line no-control-regex
  /[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]/g;

/** A text field a spreadsheet shows as text (`report.csv_text`). */
function csvText(text: string): string {
  const shown = text.replace(CSV_UNPRINTABLE, char => {
    const code = char.charCodeAt(0);
    return code < 0x100
      ? `\\x${code.toString(16).padStart(2, '0')}`
      : `\\u${code.toString(16).padStart(4, '0')}`;
  });
  return /^[=+\-@\t\r]/.test(shown) ? `'${shown}` : shown;
}

/** Quote a CSV field as Python's `csv.writer` does (minimal quoting). */
function csvQuote(field: string): string {
  return /[",\n\r]/.test(field) ? `"${field.replace(/"/g, '""')}"` : field;
}
