/**
 * The rows of the tag browser's list, built with DOM APIs from the model.
 * Text from notebooks (names, paths) is only ever set with `textContent` or
 * attributes, never parsed as markup.
 */
import { TranslationBundle } from '@jupyterlab/translation';
import {
  caretDownIcon,
  caretRightIcon,
  LabIcon
} from '@jupyterlab/ui-components';

import { middleEllipsis } from '../format';
import { ValueKind } from '../tokens';
import { formatNumber, formatValue, INameEntry, INotebookValue } from './data';
import { kindIcon, pinIcon } from '../icons';
import { TagBrowserModel } from './model';
import { createSparkline } from './sparkline';

/** The prefix of every class of the tag browser. */
export const CLASS = 'jp-NbCompare-tagBrowser';

/** How many notebooks of an expanded name are drawn before "Show more". */
export const NOTEBOOK_PAGE = 50;
/** The longest notebook name a row shows whole (full path on hover). */
export const NOTEBOOK_NAME_CHARS = 28;

/** What the row builders read: the model, the strings, the paging. */
export interface IRowContext {
  model: TagBrowserModel;
  trans: TranslationBundle;
  /** How many notebooks of a name to draw (grows with "Show more"). */
  notebookLimit(key: string): number;
}

/** The row of one name: caret, tick, kind, name, count, range, sparkline. */
export function nameRow(ctx: IRowContext, entry: INameEntry): HTMLElement {
  const trans = ctx.trans;
  const expanded = ctx.model.isExpanded(entry.key);
  const li = el('li', `${CLASS}-name`);
  li.dataset.key = entry.key;
  li.classList.toggle('jp-mod-expanded', expanded);

  const row = el('div', `${CLASS}-nameRow`);
  const toggle = el('button', `${CLASS}-toggle`) as HTMLButtonElement;
  toggle.type = 'button';
  toggle.dataset.nbcAction = 'toggle';
  toggle.dataset.nbcFocus = `toggle:${entry.key}`;
  toggle.setAttribute('aria-expanded', String(expanded));
  const toggleLabel = expanded
    ? trans.__('Hide the notebooks of %1', entry.name)
    : trans.__('Show the notebooks of %1', entry.name);
  toggle.setAttribute('aria-label', toggleLabel);
  toggle.title = toggleLabel;
  (expanded ? caretDownIcon : caretRightIcon).element({
    container: toggle,
    tag: 'span'
  });

  const label = el('label', `${CLASS}-nameLabel`);
  const box = document.createElement('input');
  box.type = 'checkbox';
  box.dataset.nbcName = entry.key;
  box.dataset.nbcFocus = `tick:${entry.key}`;
  const icon = kindIcon(entry.kind).element({
    tag: 'span',
    className: `${CLASS}-kind`,
    title: kindLabel(trans, entry.kind)
  });
  const name = el('span', `${CLASS}-nameText`);
  name.textContent = entry.name;
  label.title = `${entry.name} (${
    entry.origin === 'tag' ? trans.__('tag') : trans.__('scrap')
  }, ${kindLabel(trans, entry.kind)})`;
  label.append(box, icon, name);

  const count = el('span', `${CLASS}-count`);
  count.textContent = String(entry.count);
  count.title = trans._n(
    'Carried by %1 notebook',
    'Carried by %1 notebooks',
    entry.count
  );

  row.append(toggle, label, count);

  const stats = el('div', `${CLASS}-stats`);
  if (entry.min !== null && entry.max !== null) {
    const range = el('span', `${CLASS}-range`);
    range.textContent =
      entry.min === entry.max
        ? formatNumber(entry.min)
        : `${formatNumber(entry.min)} – ${formatNumber(entry.max)}`;
    range.title = trans.__(
      'min %1, max %2',
      String(entry.min),
      String(entry.max)
    );
    stats.appendChild(range);
  }
  if (entry.series.length >= 2) {
    stats.appendChild(
      createSparkline(
        entry.series.map(p => p.value),
        {
          label: trans.__(
            '%1 over %2 notebooks, oldest to newest',
            entry.name,
            entry.series.length
          )
        }
      )
    );
  }
  if (stats.childElementCount > 0) {
    row.appendChild(stats);
  }
  li.appendChild(row);

  if (expanded) {
    li.appendChild(notebookList(ctx, entry));
  }
  return li;
}

/** The notebooks of an expanded name, one page at a time. */
function notebookList(ctx: IRowContext, entry: INameEntry): HTMLElement {
  const trans = ctx.trans;
  const ul = el('ul', `${CLASS}-notebooks`);
  ul.setAttribute('aria-label', trans.__('Notebooks with %1', entry.name));
  const limit = ctx.notebookLimit(entry.key);
  for (const nb of entry.notebooks.slice(0, limit)) {
    ul.appendChild(notebookRow(ctx, entry, nb));
  }
  const rest = entry.notebooks.length - limit;
  if (rest > 0) {
    const li = el('li', `${CLASS}-notebook`);
    const more = el('button', `${CLASS}-more`) as HTMLButtonElement;
    more.type = 'button';
    more.dataset.nbcAction = 'more-notebooks';
    more.dataset.key = entry.key;
    more.dataset.nbcFocus = `more:${entry.key}`;
    more.textContent = trans._n(
      'Show %1 more notebook',
      'Show %1 more notebooks',
      Math.min(rest, NOTEBOOK_PAGE)
    );
    li.appendChild(more);
    ul.appendChild(li);
  }
  return ul;
}

/** One notebook under a name: tick, name, status, value and pin. */
function notebookRow(
  ctx: IRowContext,
  entry: INameEntry,
  nb: INotebookValue
): HTMLElement {
  const trans = ctx.trans;
  const pinned = ctx.model.pinned === nb.path;
  const li = el('li', `${CLASS}-notebook`);
  li.dataset.path = nb.path;
  li.classList.toggle('jp-mod-pinned', pinned);
  li.classList.toggle('jp-mod-failed', nb.status !== 'ok');

  const label = el('label', `${CLASS}-notebookLabel`);
  const box = document.createElement('input');
  box.type = 'checkbox';
  box.dataset.nbcPath = nb.path;
  box.dataset.nbcFocus = `nb:${entry.key}:${nb.path}`;
  const name = el('span', `${CLASS}-notebookName`);
  // Runs sharing a long prefix differ at the end: keep it visible.
  name.textContent = middleEllipsis(
    relativeName(ctx.model.path, nb.path),
    NOTEBOOK_NAME_CHARS
  );
  label.title = nb.path;
  label.append(box, name);
  if (nb.status !== 'ok') {
    const status = el('span', `${CLASS}-status`);
    status.textContent =
      nb.status === 'failed' ? trans.__('failed') : trans.__('unreadable');
    label.appendChild(status);
  }

  const value = el('span', `${CLASS}-value`);
  const text = formatValue(nb.value);
  value.textContent = text || kindLabel(trans, nb.kind);
  value.classList.toggle('jp-mod-kind', text === '');

  const pin = iconButton(
    pinIcon,
    pinned ? trans.__('Unpin baseline') : trans.__('Pin as baseline'),
    `${CLASS}-pin`
  );
  pin.dataset.nbcAction = 'pin';
  pin.dataset.nbcPath = nb.path;
  pin.dataset.nbcFocus = `pin:${entry.key}:${nb.path}`;
  pin.setAttribute('aria-pressed', String(pinned));
  pin.hidden = ctx.model.pin === null;
  if (pinned) {
    pin.title = trans.__('The pinned baseline (click to unpin)');
  }

  li.append(label, value, pin);
  return li;
}

/** A path relative to the browsed folder (as it is when outside it). */
export function relativePath(folder: string, path: string): string {
  return folder !== '' && path.startsWith(folder + '/')
    ? path.slice(folder.length + 1)
    : path;
}

/** A notebook as listed: relative to the folder, without `.ipynb`. */
export function relativeName(folder: string, path: string): string {
  return relativePath(folder, path).replace(/\.ipynb$/i, '');
}

/** A kind as a person reads it. */
export function kindLabel(
  trans: TranslationBundle,
  kind: ValueKind | 'mixed'
): string {
  switch (kind) {
    case 'scalar':
      return trans.__('number');
    case 'mapping':
      return trans.__('mapping');
    case 'sequence':
      return trans.__('list');
    case 'table':
      return trans.__('table');
    case 'image':
      return trans.__('image');
    case 'text':
      return trans.__('text');
    case 'html':
      return trans.__('HTML');
    case 'error':
      return trans.__('error');
    case 'unsupported':
      return trans.__('unsupported');
    default:
      return trans.__('mixed kinds');
  }
}

/** A real button holding only an icon, labelled for screen readers. */
export function iconButton(
  icon: LabIcon,
  label: string,
  className: string
): HTMLButtonElement {
  const button = el(
    'button',
    `${CLASS}-iconButton ${className}`
  ) as HTMLButtonElement;
  button.type = 'button';
  button.title = label;
  button.setAttribute('aria-label', label);
  icon.element({ container: button, tag: 'span' });
  return button;
}

/** A new element with classes (space-separated). */
export function el(tag: string, className = ''): HTMLElement {
  const node = document.createElement(tag);
  if (className) {
    node.className = className;
  }
  return node;
}
