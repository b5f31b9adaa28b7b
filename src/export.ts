/**
 * Exports of the current view (filter and "only differences" applied): a
 * self-contained HTML report with images embedded as data URIs, the metrics
 * table as CSV, and Markdown.
 *
 * The builders are pure functions of the model; every piece of notebook text
 * is escaped for its format, and the HTML report carries a Content Security
 * Policy that forbids scripts, so an output cannot act when the report is
 * opened. Files are saved beside the baseline notebook through the contents
 * API (so they appear in the file browser, also on a remote server), never
 * over an existing file.
 */
import { Contents, ServerConnection } from '@jupyterlab/services';
import { TranslationBundle } from '@jupyterlab/translation';

import {
  bestPaths,
  deltaView,
  flatParameters,
  IMetricCell,
  IMetricRow
} from './delta';
import { diffStats, lineDiff } from './diff';
import {
  basename,
  formatDelta,
  formatDuration,
  formatFull,
  formatNumber,
  formatPercent,
  formatValue,
  labelText,
  toNumber
} from './format';
import { groupsCsv, groupsHtml, groupsMarkdown } from './exportGroups';
import { CompareModel } from './model';
import { serverURL } from './request';
import { saveAsNew } from './save';
import { ICell, IValueRow } from './tokens';

/** Escape text for HTML element content and attribute values. */
export function escapeHtml(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

/**
 * One CSV field: quoted when needed, and text that a spreadsheet would run as
 * a formula (`=`, `+`, `-`, `@` first) is prefixed with `'`.
 */
export function csvField(value: unknown): string {
  let text: string;
  const number = toNumber(value);
  if (value === null || value === undefined) {
    text = '';
  } else if (number !== null) {
    text = formatFull(value);
  } else {
    text = typeof value === 'string' ? value : formatValue(value);
    if (/^[=+\-@\t\r]/.test(text)) {
      text = `'${text}`;
    }
  }
  return /[",\n\r]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/**
 * The wide CSV: one row per value, one column per notebook (the command
 * line's `--format csv-wide`; its `csv` is the long layout). First a
 * `status` row and one `parameters.<name>` row per parameter (a dict
 * parameter gives one row per leaf, `parameters.model_params.C`), then the
 * metrics of the current view. Every compared notebook has its column, even
 * one whose values are all missing (an unreadable run says so in `status`).
 * A grouped comparison exports its groups table instead (see
 * `exportGroups.ts`), as the command line does with `--group-by`.
 */
export function metricsCsv(model: CompareModel): string {
  // Grouped: the groups table alone, as `jupyter nbcompare --group-by`
  // writes it (two tables in one CSV would break every reader).
  const groups = model.data ? groupsCsv(model.data) : null;
  if (groups !== null) {
    return groups;
  }
  const paths = model.paths;
  const infos = new Map(model.notebooks.map(nb => [nb.path, nb]));
  const flat = new Map(
    model.notebooks.map(nb => [nb.path, flatParameters(nb)])
  );
  const names: string[] = [];
  for (const params of flat.values()) {
    for (const name of Object.keys(params)) {
      if (!names.includes(name)) {
        names.push(name);
      }
    }
  }
  const line = (fields: unknown[]) => fields.map(csvField).join(',');
  const lines = [
    line(['metric', 'direction', ...paths]),
    line(['status', '', ...paths.map(path => infos.get(path)?.status ?? '')]),
    ...names.map(name =>
      line([
        `parameters.${name}`,
        '',
        ...paths.map(path => {
          const param = flat.get(path)?.[name];
          return param ? (param.source ?? param.value ?? 'None') : null;
        })
      ])
    ),
    ...model.metrics.map(row =>
      line([
        row.label,
        row.direction ?? '',
        ...paths.map(path => row.cells[path]?.value ?? null)
      ])
    )
  ];
  return `${lines.join('\r\n')}\r\n`;
}

/**
 * A metric cell as one line of text: value, delta, %, verdict, best. Equal
 * to the baseline reads "= baseline"; a delta that is not a number is left out.
 */
export function metricText(
  cell: IMetricCell | null,
  isBaseline: boolean,
  isBest: boolean,
  base: IMetricCell | null = null
): string {
  if (!cell) {
    return 'missing';
  }
  const number = toNumber(cell.value);
  let text = number !== null ? formatNumber(number) : formatValue(cell.value);
  const view = isBaseline ? null : deltaView(cell, base);
  if (view?.kind === 'same') {
    text += ' (= baseline)';
  } else if (view?.kind === 'delta') {
    text += ` (${formatDelta(view.delta)}`;
    if (view.rel !== null) {
      text += `, ${formatPercent(view.rel)}`;
    }
    text += ')';
    if (cell.better === true) {
      text += ' \u2713 better';
    } else if (cell.better === false) {
      text += ' \u2717 worse';
    }
  }
  return isBest ? `${text} \u2605` : text;
}

/** A value cell as plain text (Markdown export, HTML fallbacks). */
export function cellText(
  cell: ICell | null,
  base: ICell | null,
  isBaseline: boolean
): string {
  if (!cell) {
    return 'missing';
  }
  switch (cell.kind) {
    case 'scalar':
      return formatValue(cell.value);
    case 'mapping':
      return Object.entries(cell.items)
        .map(([key, item]) => `${key}: ${formatValue(item.value)}`)
        .join('\n');
    case 'sequence': {
      let text = cell.items.map(formatValue).join(', ');
      if (!isBaseline && cell.added && cell.added.length > 0) {
        text += `\n+ ${cell.added.map(formatValue).join(', ')}`;
      }
      if (!isBaseline && cell.removed && cell.removed.length > 0) {
        text += `\n\u2212 ${cell.removed.map(formatValue).join(', ')}`;
      }
      return text;
    }
    case 'table':
      return [
        ['', ...cell.columns.map(labelText)].join('\t'),
        ...cell.rows.map((row, i) =>
          [labelText(cell.index[i] ?? ''), ...row.map(formatValue)].join('\t')
        )
      ].join('\n');
    case 'image':
      return `image ${cell.mime} ${cell.width ?? '?'}x${cell.height ?? '?'} sha256:${cell.sha256.slice(0, 12)}`;
    case 'text':
      if (!isBaseline && base && base.kind === 'text') {
        return lineDiff(base.text, cell.text)
          .map(
            line =>
              `${line.type === 'added' ? '+' : line.type === 'removed' ? '-' : ' '} ${line.text}`
          )
          .join('\n');
      }
      return cell.text;
    case 'html':
      return cell.html;
    case 'error':
      return `${cell.ename}: ${cell.evalue}`;
    case 'unsupported':
      return cell.message;
    default:
      return '';
  }
}

/**
 * Escape notebook text for a Markdown table cell or heading. Markdown is not
 * HTML: quotes and apostrophes stay as they are (`{"n_neighbors": 15}` reads
 * as written), and only what Markdown would act on gets a backslash: `|` (a
 * table column), brackets and backticks (so `![](https://tracker)` or a link
 * in a name never becomes one), `<`/`>` (inline HTML), `*`, `_` and `~`
 * (emphasis; an `_` between letters or digits is literal already), `&` before an entity
 * name, and `#` at the start. Line breaks become `<br>`, the only line break
 * a table cell has.
 */
export function mdCell(text: string): string {
  return text
    .replace(/[\\|[\]`<>*~]/g, char => `\\${char}`)
    .replace(/(?<![\p{L}\p{N}])_|_(?![\p{L}\p{N}])/gu, '\\_')
    .replace(/&(?=#?\w+;)/g, '\\&')
    .replace(/^#/, '\\#')
    .replace(/\r?\n/g, '<br>');
}

/** A fenced code block whose fence cannot be closed by the text inside. */
function fence(text: string): string {
  const longest = Math.max(
    2,
    ...(text.match(/`+/g) ?? []).map(run => run.length)
  );
  const bar = '`'.repeat(longest + 1);
  return `${bar}text\n${text}\n${bar}`;
}

/** The current view as Markdown. */
export function comparisonMarkdown(
  model: CompareModel,
  trans: TranslationBundle
): string {
  const paths = model.paths;
  // The answer's own baseline, which its deltas were computed against.
  const baseline = model.dataBaseline;
  const header = (first: string) =>
    `| ${[first, ...paths.map(p => mdCell(basename(p)))].join(' | ')} |\n|${' --- |'.repeat(paths.length + 1)}`;
  const out: string[] = [
    `# ${trans.__('Comparison of %1 notebooks', paths.length)}`,
    '',
    `${trans.__('Baseline')}: \`${baseline}\``,
    ''
  ];
  out.push(header(trans.__('Notebook')));
  const infos = new Map(model.notebooks.map(nb => [nb.path, nb]));
  out.push(
    `| ${trans.__('path')} | ${paths.map(p => mdCell(p)).join(' | ')} |`,
    `| ${trans.__('status')} | ${paths
      .map(p =>
        mdCell(infos.get(p)?.error?.message ?? infos.get(p)?.status ?? '')
      )
      .join(' | ')} |`,
    `| ${trans.__('duration')} | ${paths
      .map(p => mdCell(formatDuration(infos.get(p)?.duration)))
      .join(' | ')} |`,
    ''
  );
  if (model.parameters.length > 0) {
    out.push(`## ${trans.__('Parameters')}`, '', header(trans.__('Parameter')));
    for (const row of model.parameters) {
      out.push(
        `| ${mdCell(row.name)}${row.differs ? ' \u2260' : ''} | ${paths
          .map(p => {
            const param = row.cells[p];
            return param
              ? mdCell(
                  (param.source ?? formatValue(param.value)) +
                    (param.injected ? ' (injected)' : '')
                )
              : 'missing';
          })
          .join(' | ')} |`
      );
    }
    out.push('');
  }
  if (model.metrics.length > 0) {
    out.push(`## ${trans.__('Metrics')}`, '', header(trans.__('Metric')));
    for (const row of model.metrics) {
      out.push(metricLine(row, paths, baseline));
    }
    out.push('');
  }
  for (const value of model.others) {
    out.push(`## ${mdCell(value.name)} (${value.kind}, ${value.origin})`, '');
    const base = value.cells[baseline] ?? null;
    for (const path of paths) {
      const cell = value.cells[path] ?? null;
      out.push(`### ${mdCell(basename(path))}`, '');
      out.push(
        cell ? fence(cellText(cell, base, path === baseline)) : '_missing_',
        ''
      );
    }
  }
  // Grouped: the groups follow, as the command line writes them.
  const groups = model.data ? groupsMarkdown(model.data, mdCell) : null;
  return out.join('\n') + (groups ?? '');
}

function metricLine(
  row: IMetricRow,
  paths: string[],
  baseline: string
): string {
  const best = bestPaths(row, paths);
  return `| ${mdCell(row.label)} | ${paths
    .map(p =>
      mdCell(
        metricText(
          row.cells[p] ?? null,
          p === baseline,
          best.has(p),
          row.cells[baseline] ?? null
        )
      )
    )
    .join(' | ')} |`;
}

/** Every image url of the current view (to embed in the HTML report). */
export function imageUrls(model: CompareModel): string[] {
  const urls: string[] = [];
  for (const value of model.others) {
    for (const path of model.paths) {
      const cell = value.cells[path];
      if (cell && cell.kind === 'image') {
        urls.push(cell.url);
      }
    }
  }
  return urls;
}

/** Fetch images (server-relative urls) as data URIs; failures are skipped. */
export async function fetchDataURIs(
  urls: string[],
  settings: ServerConnection.ISettings = ServerConnection.makeSettings()
): Promise<Map<string, string>> {
  const result = new Map<string, string>();
  await Promise.all(
    urls.map(async url => {
      try {
        const response = await ServerConnection.makeRequest(
          serverURL(url, settings),
          {},
          settings
        );
        if (!response.ok) {
          return;
        }
        const blob = await response.blob();
        result.set(url, await blobToDataURI(blob));
      } catch {
        // The report says the image is missing rather than failing.
      }
    })
  );
  return result;
}

function blobToDataURI(blob: Blob): Promise<string> {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(String(reader.result));
    reader.onerror = () => reject(reader.error);
    reader.readAsDataURL(blob);
  });
}

const REPORT_CSS = `
body{font-family:system-ui,sans-serif;font-size:13px;margin:16px;color:#1a1a1a;background:#fff}
table{border-collapse:collapse;margin:6px 0 16px}
th,td{border:1px solid #ccc;padding:3px 6px;vertical-align:top;text-align:left}
th{background:#f2f2f2}
.base{background:#eef4fb}
.better{color:#0b5cad}.worse{color:#b34700}
.missing{color:#777;font-style:italic}
.changed{outline:2px solid #b34700}
pre{margin:0;white-space:pre-wrap;font-size:12px}
img{max-width:320px;height:auto}
.added{color:#0b5cad}.removed{color:#b34700;text-decoration:line-through}
@media (prefers-color-scheme:dark){body{background:#111;color:#eee}th{background:#222}.base{background:#1c2a3a}.better{color:#6cb2ff}.worse{color:#ffa35c}}
`;

/**
 * The report's Content Security Policy: no script, nothing loaded but inline
 * images and styles. `base-uri` and `form-action` do not fall back to
 * `default-src`, and the sanitizer keeps `<form>`, so they are set too.
 */
export const REPORT_CSP =
  "default-src 'none'; img-src data:; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'";

/** Options of {@link comparisonHtml}. */
export interface IHtmlExportOptions {
  /** Data URIs by image url (see {@link fetchDataURIs}). */
  images?: Map<string, string>;
  /** Sanitizes html outputs; without one they are shown as escaped source. */
  sanitize?: (html: string) => string;
}

/** The current view as a self-contained HTML document. */
export function comparisonHtml(
  model: CompareModel,
  trans: TranslationBundle,
  options: IHtmlExportOptions = {}
): string {
  const paths = model.paths;
  // The answer's own baseline, which its deltas were computed against.
  const baseline = model.dataBaseline;
  const e = escapeHtml;
  const th = (path: string) =>
    `<th title="${e(path)}"${path === baseline ? ' class="base"' : ''}>${e(basename(path))}${path === baseline ? ` (${e(trans.__('baseline'))})` : ''}</th>`;
  const head = (first: string) =>
    `<tr><th>${e(first)}</th>${paths.map(th).join('')}</tr>`;
  const td = (path: string, inner: string) =>
    `<td${path === baseline ? ' class="base"' : ''}>${inner}</td>`;
  const infos = new Map(model.notebooks.map(nb => [nb.path, nb]));
  const parts: string[] = [
    '<!DOCTYPE html><html><head><meta charset="utf-8">',
    `<meta http-equiv="Content-Security-Policy" content="${REPORT_CSP}">`,
    `<title>${e(trans.__('Comparison of %1 notebooks', paths.length))}</title>`,
    `<style>${REPORT_CSS}</style></head><body>`,
    `<h1>${e(trans.__('Comparison of %1 notebooks', paths.length))}</h1>`,
    `<p>${e(trans.__('Baseline'))}: <code>${e(baseline)}</code></p>`,
    `<table>${head(trans.__('Notebook'))}`,
    `<tr><th>${e(trans.__('path'))}</th>${paths.map(p => td(p, e(p))).join('')}</tr>`,
    `<tr><th>${e(trans.__('status'))}</th>${paths
      .map(p =>
        td(p, e(infos.get(p)?.error?.message ?? infos.get(p)?.status ?? ''))
      )
      .join('')}</tr>`,
    `<tr><th>${e(trans.__('duration'))}</th>${paths
      .map(p => td(p, e(formatDuration(infos.get(p)?.duration))))
      .join('')}</tr></table>`
  ];
  if (model.parameters.length > 0) {
    parts.push(
      `<h2>${e(trans.__('Parameters'))}</h2><table>${head(trans.__('Parameter'))}`
    );
    for (const row of model.parameters) {
      parts.push(
        `<tr><th>${e(row.name)}${row.differs ? ' \u2260' : ''}</th>${paths
          .map(p => {
            const param = row.cells[p];
            return td(
              p,
              param
                ? e(param.source ?? formatValue(param.value)) +
                    (param.injected
                      ? ` <small>(${e(trans.__('injected'))})</small>`
                      : '')
                : `<span class="missing">${e(trans.__('missing'))}</span>`
            );
          })
          .join('')}</tr>`
      );
    }
    parts.push('</table>');
  }
  if (model.metrics.length > 0) {
    parts.push(
      `<h2>${e(trans.__('Metrics'))}</h2><table>${head(trans.__('Metric'))}`
    );
    for (const row of model.metrics) {
      const best = bestPaths(row, paths);
      parts.push(
        `<tr><th>${e(row.label)}</th>${paths
          .map(p => {
            const cell = row.cells[p] ?? null;
            const verdict =
              cell?.better === true
                ? 'better'
                : cell?.better === false
                  ? 'worse'
                  : '';
            return td(
              p,
              cell
                ? `<span class="${verdict}" title="${e(formatFull(cell.value))}">${e(
                    metricText(
                      cell,
                      p === baseline,
                      best.has(p),
                      row.cells[baseline] ?? null
                    )
                  )}</span>`
                : `<span class="missing">${e(trans.__('missing'))}</span>`
            );
          })
          .join('')}</tr>`
      );
    }
    parts.push('</table>');
  }
  for (const value of model.others) {
    parts.push(
      `<h2>${e(value.name)} <small>(${e(value.kind ?? trans.__('no value'))}, ${e(value.origin)})</small></h2><table>${head('')}<tr><th></th>`
    );
    const base = value.cells[baseline] ?? null;
    for (const path of paths) {
      parts.push(
        td(
          path,
          valueHtml(
            value,
            value.cells[path] ?? null,
            base,
            path === baseline,
            trans,
            options
          )
        )
      );
    }
    parts.push('</tr></table>');
  }
  // Grouped: the groups before the end, as the command line writes them.
  const groups = model.data ? groupsHtml(model.data, escapeHtml) : null;
  if (groups !== null) {
    parts.push(groups);
  }
  parts.push('</body></html>');
  return parts.join('\n');
}

function valueHtml(
  value: IValueRow,
  cell: ICell | null,
  base: ICell | null,
  isBaseline: boolean,
  trans: TranslationBundle,
  options: IHtmlExportOptions
): string {
  const e = escapeHtml;
  if (!cell) {
    return `<span class="missing">${e(trans.__('missing'))}</span>`;
  }
  switch (cell.kind) {
    case 'image': {
      const uri = options.images?.get(cell.url);
      return uri
        ? `<img alt="${e(value.name)}" src="${e(uri)}">`
        : `<span class="missing">${e(trans.__('image not available'))}</span>`;
    }
    case 'html':
      return options.sanitize
        ? `<div>${options.sanitize(cell.html)}</div>`
        : `<pre>${e(cell.html)}</pre>`;
    case 'text': {
      if (!isBaseline && base && base.kind === 'text') {
        const lines = lineDiff(base.text, cell.text);
        const stats = diffStats(lines);
        return `<small>+${stats.added} \u2212${stats.removed}</small><pre>${lines
          .map(
            line =>
              `<span class="${line.type === 'same' ? '' : line.type}">${line.type === 'added' ? '+' : line.type === 'removed' ? '\u2212' : ' '} ${e(line.text)}</span>`
          )
          .join('\n')}</pre>`;
      }
      return `<pre>${e(cell.text)}</pre>`;
    }
    case 'table':
      return `<table><tr><th></th>${cell.columns
        .map(c => `<th>${e(labelText(c))}</th>`)
        .join('')}</tr>${cell.rows
        .map(
          (row, i) =>
            `<tr><th>${e(labelText(cell.index[i] ?? ''))}</th>${row
              .map(
                v => `<td title="${e(formatFull(v))}">${e(formatValue(v))}</td>`
              )
              .join('')}</tr>`
        )
        .join('')}</table>`;
    default:
      return `<pre>${e(cellText(cell, base, isBaseline))}</pre>`;
  }
}

/** Save text as a new file `folder/comparison[-N].ext`, never overwriting. */
export function saveExport(
  contents: Contents.IManager,
  folder: string,
  extension: string,
  content: string
): Promise<Contents.IModel> {
  return saveAsNew(contents, folder, 'comparison', extension, {
    type: 'file',
    format: 'text',
    content
  });
}
