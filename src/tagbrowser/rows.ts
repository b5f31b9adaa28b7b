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
import { formatNumber, formatValue } from './data';
import {
  hasStats,
  IGroupRow,
  INameRow,
  INotebookRow,
  TagBrowserRow
} from './flat';
import { kindIcon, pinIcon } from '../icons';
import { TagBrowserModel } from './model';
import { createSparkline } from './sparkline';

/** The prefix of every class of the tag browser. */
export const CLASS = 'jp-NbCompare-tagBrowser';

/** The longest notebook name a row shows whole (full path on hover). */
export const NOTEBOOK_NAME_CHARS = 28;

/** What the row builders read: the model and the strings. */
export interface IRowContext {
  model: TagBrowserModel;
  trans: TranslationBundle;
}

/**
 * Fill `li` (an empty row of the windowed list) with `row`: a tree item
 * with its level, position and state for assistive technology. The row is
 * the keyboard's focus target; its checkbox and buttons are for the mouse
 * (the keys act on the row), so they are out of the tab order and hidden
 * from the accessibility tree, where the row states the same.
 */
export function renderRow(
  ctx: IRowContext,
  row: TagBrowserRow,
  li: HTMLElement
): void {
  li.classList.add(`${CLASS}-row`);
  li.setAttribute('role', 'treeitem');
  li.setAttribute('aria-level', String(row.level));
  li.setAttribute('aria-setsize', String(row.setSize));
  li.setAttribute('aria-posinset', String(row.posInSet));
  li.tabIndex = -1;
  switch (row.type) {
    case 'group':
      groupRow(ctx, row, li);
      break;
    case 'name':
      nameRow(ctx, row, li);
      break;
    case 'notebook':
      notebookRow(ctx, row, li);
      break;
  }
}

/** The heading of the tags or the scraps, which folds its names. */
function groupRow(ctx: IRowContext, row: IGroupRow, li: HTMLElement): void {
  const trans = ctx.trans;
  li.classList.add(`${CLASS}-groupRow`);
  li.dataset.group = row.origin;
  li.setAttribute('aria-expanded', String(row.expanded));
  const text = el('span', `${CLASS}-groupTitle`);
  text.textContent =
    row.origin === 'tag'
      ? trans.__('Tags (%1)', row.count)
      : trans.__('Scraps (%1)', row.count);
  li.setAttribute('aria-label', text.textContent);
  li.append(toggleButton(row.expanded), text);
}

/** The row of one name: caret, tick, kind, name, count, range, sparkline. */
function nameRow(ctx: IRowContext, row: INameRow, li: HTMLElement): void {
  const trans = ctx.trans;
  const entry = row.entry;
  const ticked = ctx.model.isNameTicked(entry.key);
  li.classList.add(`${CLASS}-name`);
  li.dataset.key = entry.key;
  li.classList.toggle('jp-mod-expanded', row.expanded);
  li.classList.toggle('jp-mod-ticked', ticked);
  li.setAttribute('aria-expanded', String(row.expanded));
  li.setAttribute('aria-checked', String(ticked));

  const line = el('div', `${CLASS}-nameRow`);
  const toggle = toggleButton(row.expanded);
  toggle.title = row.expanded
    ? trans.__('Hide the notebooks of %1', entry.name)
    : trans.__('Show the notebooks of %1', entry.name);

  const label = el('label', `${CLASS}-nameLabel`);
  const box = checkbox();
  box.dataset.nbcName = entry.key;
  box.checked = ticked;
  const kind = kindLabel(trans, entry.kind);
  const icon = kindIcon(entry.kind).element({
    tag: 'span',
    className: `${CLASS}-kind`,
    title: kind
  });
  const name = el('span', `${CLASS}-nameText`);
  name.textContent = entry.name;
  const origin = entry.origin === 'tag' ? trans.__('tag') : trans.__('scrap');
  label.title = `${entry.name} (${origin}, ${kind})`;
  label.append(box, icon, name);

  const count = el('span', `${CLASS}-count`);
  count.textContent = String(entry.count);
  const carried = trans._n(
    'Carried by %1 notebook',
    'Carried by %1 notebooks',
    entry.count
  );
  count.title = carried;

  line.append(toggle, label, count);

  const described = [entry.name, origin, kind, carried];
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
    described.push(range.title);
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
  // The height must match rowHeight() (flat.ts): the stats line is there
  // exactly when hasStats() says so.
  li.classList.toggle('jp-mod-stats', hasStats(entry));
  if (stats.childElementCount > 0) {
    line.appendChild(stats);
  }
  li.setAttribute('aria-label', described.join(', '));
  li.appendChild(line);
}

/** One notebook under a name: tick, name, status, value and pin. */
function notebookRow(
  ctx: IRowContext,
  row: INotebookRow,
  li: HTMLElement
): void {
  const trans = ctx.trans;
  const nb = row.notebook;
  const pinned = ctx.model.pinned === nb.path;
  const ticked = ctx.model.isNotebookTicked(nb.path);
  li.classList.add(`${CLASS}-notebook`);
  li.dataset.path = nb.path;
  li.dataset.parent = row.entry.key;
  li.classList.toggle('jp-mod-pinned', pinned);
  li.classList.toggle('jp-mod-failed', nb.status !== 'ok');
  li.setAttribute('aria-checked', String(ticked));

  const label = el('label', `${CLASS}-notebookLabel`);
  const box = checkbox();
  box.dataset.nbcPath = nb.path;
  box.checked = ticked;
  const name = el('span', `${CLASS}-notebookName`);
  const shown = relativeName(ctx.model.path, nb.path);
  // Runs sharing a long prefix differ at the end: keep it visible.
  name.textContent = middleEllipsis(shown, NOTEBOOK_NAME_CHARS);
  label.title = nb.path;
  label.append(box, name);
  const described = [shown];
  if (nb.status !== 'ok') {
    const status = el('span', `${CLASS}-status`);
    status.textContent =
      nb.status === 'failed' ? trans.__('failed') : trans.__('unreadable');
    described.push(status.textContent);
    label.appendChild(status);
  }

  const value = el('span', `${CLASS}-value`);
  const text = formatValue(nb.value);
  value.textContent = text || kindLabel(trans, nb.kind);
  value.classList.toggle('jp-mod-kind', text === '');
  described.push(value.textContent);

  const pin = iconButton(
    pinIcon,
    pinned ? trans.__('Unpin baseline') : trans.__('Pin as baseline'),
    `${CLASS}-pin`
  );
  pin.dataset.nbcAction = 'pin';
  pin.dataset.nbcPath = nb.path;
  pin.tabIndex = -1;
  pin.setAttribute('aria-hidden', 'true');
  pin.setAttribute('aria-pressed', String(pinned));
  pin.hidden = ctx.model.pin === null;
  if (pinned) {
    pin.title = trans.__('The pinned baseline (click to unpin)');
    described.push(trans.__('pinned baseline'));
  }
  if (ctx.model.pin !== null) {
    // P pins from the keyboard (the button is for the mouse).
    li.setAttribute('aria-keyshortcuts', 'P');
    pin.title += ' (P)';
  }

  li.setAttribute('aria-label', described.join(', '));
  li.append(label, value, pin);
}

/** The caret of a group or a name (the row carries `aria-expanded`). */
function toggleButton(expanded: boolean): HTMLButtonElement {
  const toggle = el('button', `${CLASS}-toggle`) as HTMLButtonElement;
  toggle.type = 'button';
  toggle.tabIndex = -1;
  toggle.dataset.nbcAction = 'toggle';
  toggle.setAttribute('aria-hidden', 'true');
  (expanded ? caretDownIcon : caretRightIcon).element({
    container: toggle,
    tag: 'span'
  });
  return toggle;
}

/** A tick box for the mouse; the row states it as `aria-checked`. */
function checkbox(): HTMLInputElement {
  const box = document.createElement('input');
  box.type = 'checkbox';
  box.tabIndex = -1;
  box.setAttribute('aria-hidden', 'true');
  return box;
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
