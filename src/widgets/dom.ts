/**
 * A tiny DOM builder for the views. It only ever sets `textContent` and
 * attributes, never `innerHTML`: text from notebooks (names, paths, outputs)
 * cannot turn into markup by construction.
 */
import { LabIcon } from '@jupyterlab/ui-components';

/** Options of {@link h}. */
export interface IElementOptions {
  className?: string;
  text?: string;
  title?: string;
  attrs?: Record<string, string>;
  /** For `<button>`: its click handler (the element gets `type="button"`). */
  onClick?: (event: MouseEvent) => void;
}

/** Create an element with classes, text, title and attributes, and children. */
export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  options: IElementOptions = {},
  children: (Node | null | undefined | false)[] = []
): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  if (options.className) {
    node.className = options.className;
  }
  if (options.text !== undefined) {
    node.textContent = options.text;
  }
  if (options.title) {
    node.title = options.title;
  }
  for (const [name, value] of Object.entries(options.attrs ?? {})) {
    node.setAttribute(name, value);
  }
  if (tag === 'button') {
    node.setAttribute('type', 'button');
  }
  if (options.onClick) {
    node.addEventListener('click', options.onClick as EventListener);
  }
  for (const child of children) {
    if (child) {
      node.appendChild(child);
    }
  }
  return node;
}

/** A LabIcon as an inline element, decorative (hidden from screen readers). */
export function icon(labIcon: LabIcon, className = ''): HTMLElement {
  const node = labIcon.element({
    tag: 'span',
    className: `jp-NbCompare-icon ${className}`.trim(),
    elementSize: 'normal'
  });
  node.setAttribute('aria-hidden', 'true');
  return node;
}
