import { MimeModel } from '@jupyterlab/rendermime';

import { IHtmlCell } from '../tokens';
import { h } from './dom';
import { IViewContext } from './types';

/**
 * An `html` value, rendered by JupyterLab's rendermime as UNTRUSTED: the
 * sanitizer strips scripts and event handler attributes, so an output can
 * neither run code nor touch the page. Without a registry, the source is
 * shown as text.
 */
export function renderHtml(
  cell: IHtmlCell,
  context: IViewContext
): HTMLElement {
  const node = h('div', { className: 'jp-NbCompare-htmlView' });
  const registry = context.rendermime;
  if (!registry || !registry.preferredMimeType({ 'text/html': '' }, 'any')) {
    node.appendChild(
      h('pre', { className: 'jp-NbCompare-text', text: cell.html })
    );
    return node;
  }
  const model = new MimeModel({
    data: { 'text/html': cell.html },
    trusted: false
  });
  const renderer = registry.createRenderer('text/html');
  context.own(renderer);
  node.appendChild(renderer.node);
  renderer.renderModel(model).catch(reason => {
    node.textContent = String(reason);
  });
  return node;
}
