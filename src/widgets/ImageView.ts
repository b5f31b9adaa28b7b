import { serverURL } from '../request';
import { IImageCell } from '../tokens';
import { h } from './dom';
import { IViewContext } from './types';

/**
 * An `image` value: a thumbnail loaded lazily from the server (the bytes are
 * never inline in the comparison), a button that opens the enlarged image and,
 * against the baseline, the swipe / onion-skin / pixel-difference modes.
 */
export function renderImage(
  cell: IImageCell,
  context: IViewContext
): HTMLElement {
  const { trans, row, path } = context;
  const img = h('img', {
    className: 'jp-NbCompare-thumbnail',
    attrs: {
      src: serverURL(cell.url),
      loading: 'lazy',
      decoding: 'async',
      alt: trans.__('%1 of %2', row.name, path)
    }
  });
  if (cell.width && cell.height) {
    img.width = cell.width;
    img.height = cell.height;
  }
  const same =
    path !== context.baseline &&
    context.baseCell?.kind === 'image' &&
    context.baseCell.sha256 === cell.sha256;
  const label =
    path === context.baseline || context.baseCell?.kind !== 'image'
      ? trans.__('Enlarge %1', row.name)
      : trans.__('Compare %1 with the baseline', row.name);
  return h('div', { className: 'jp-NbCompare-imageView' }, [
    h(
      'button',
      {
        className: 'jp-NbCompare-thumbnailButton',
        title: label,
        attrs: { 'aria-label': label },
        onClick: () => context.openImage(path, row)
      },
      [img]
    ),
    same
      ? h('div', {
          className: 'jp-NbCompare-same',
          text: trans.__('= identical to the baseline')
        })
      : null
  ]);
}
