import { TranslationBundle } from '@jupyterlab/translation';
import { Widget } from '@lumino/widgets';

import { basename, formatNumber } from '../format';
import { pixelDiff } from '../pixeldiff';
import { h } from './dom';

/** The ways to look at an image against the baseline. */
export type ImageMode = 'image' | 'side' | 'swipe' | 'onion' | 'difference';

/** Options of {@link ImageCompare}. */
export interface IImageCompareOptions {
  trans: TranslationBundle;
  name: string;
  /** This notebook's image. */
  url: string;
  path: string;
  /** The baseline's image, when there is one to compare with. */
  baseUrl?: string | null;
  basePath?: string;
  /** The mode to open in. */
  mode?: ImageMode;
}

/** Load an image fully (for canvas work). */
function load(url: string): Promise<HTMLImageElement> {
  return new Promise((resolve, reject) => {
    const image = new Image();
    image.onload = () => resolve(image);
    image.onerror = () => reject(new Error(`Cannot load ${url}`));
    image.src = url;
  });
}

/** The RGBA pixels of an image at its natural size. */
function pixels(image: HTMLImageElement): ImageData {
  const canvas = document.createElement('canvas');
  canvas.width = image.naturalWidth;
  canvas.height = image.naturalHeight;
  const context = canvas.getContext('2d')!;
  context.drawImage(image, 0, 0);
  return context.getImageData(0, 0, canvas.width, canvas.height);
}

/** The theme's warning colour as RGB, for the heatmap (orange by default). */
function themeColor(): [number, number, number] {
  const value = getComputedStyle(document.body)
    .getPropertyValue('--jp-warn-color1')
    .trim();
  const match = /^#([0-9a-f]{6})$/i.exec(value);
  if (!match) {
    return [213, 94, 0];
  }
  const n = parseInt(match[1], 16);
  return [(n >> 16) & 255, (n >> 8) & 255, n & 255];
}

/**
 * The enlarged image, and against the baseline: side by side, swipe (a slider
 * between the two), onion skin (opacity) and pixel difference (a heatmap
 * computed on a canvas, with the share of changed pixels).
 */
export class ImageCompare extends Widget {
  constructor(options: IImageCompareOptions) {
    super();
    this._options = options;
    this.addClass('jp-NbCompare-imageCompare');
    const { trans } = options;
    const modes: [ImageMode, string][] = options.baseUrl
      ? [
          ['side', trans.__('Side by side')],
          ['swipe', trans.__('Swipe')],
          ['onion', trans.__('Onion skin')],
          ['difference', trans.__('Pixel difference')]
        ]
      : [['image', trans.__('Image')]];
    const bar = h('div', {
      className: 'jp-NbCompare-modes',
      attrs: { role: 'group', 'aria-label': trans.__('Comparison mode') }
    });
    for (const [mode, label] of modes) {
      const button = h('button', {
        className: 'jp-NbCompare-mode jp-mod-styled',
        text: label,
        attrs: { 'data-mode': mode, 'aria-pressed': 'false' },
        onClick: () => this.setMode(mode)
      });
      bar.appendChild(button);
    }
    if (modes.length > 1) {
      this.node.appendChild(bar);
    }
    this._stage = h('div', { className: 'jp-NbCompare-stage' });
    this.node.appendChild(this._stage);
    this.setMode(options.mode ?? modes[0][0]);
  }

  /** The mode shown. */
  get mode(): ImageMode {
    return this._mode;
  }

  /** Show another mode. */
  setMode(mode: ImageMode): void {
    if (mode !== 'image' && !this._options.baseUrl) {
      mode = 'image';
    }
    this._mode = mode;
    this.node.querySelectorAll('.jp-NbCompare-mode').forEach(button => {
      const on = (button as HTMLElement).dataset.mode === mode;
      button.setAttribute('aria-pressed', on ? 'true' : 'false');
      button.classList.toggle('jp-mod-active', on);
    });
    this._stage.replaceChildren();
    this._stage.dataset.mode = mode;
    void this._render(mode);
  }

  /** Load the images (cached after the first time), then lay the mode out. */
  private async _render(mode: ImageMode): Promise<void> {
    const { url, baseUrl, path, basePath, trans } = this._options;
    let images: HTMLImageElement[];
    try {
      images = await Promise.all(
        mode === 'image' ? [load(url)] : [load(baseUrl!), load(url)]
      );
    } catch (reason) {
      this._stage.textContent = trans.__(
        'The image could not be loaded: %1',
        String((reason as Error)?.message ?? reason)
      );
      return;
    }
    if (this._mode !== mode || this.isDisposed) {
      return;
    }
    // One scale for both images, so that pixels line up as they do on disk.
    const width = Math.max(...images.map(i => i.naturalWidth), 1);
    const height = Math.max(...images.map(i => i.naturalHeight), 1);
    const room = mode === 'side' ? 0.42 : 0.8;
    const scale = Math.min(
      3,
      Math.min(720, window.innerWidth * room) / width,
      (window.innerHeight * 0.6) / height
    );
    const sized = (image: HTMLImageElement) => ({
      width: `${Math.round(image.naturalWidth * scale)}px`,
      height: `${Math.round(image.naturalHeight * scale)}px`
    });
    switch (mode) {
      case 'image':
        this._stage.appendChild(this._figure(url, path, sized(images[0])));
        break;
      case 'side':
        this._stage.appendChild(
          h('div', { className: 'jp-NbCompare-side' }, [
            this._figure(baseUrl!, basePath ?? '', sized(images[0]), true),
            this._figure(url, path, sized(images[1]))
          ])
        );
        break;
      case 'swipe':
      case 'onion':
        this._renderOverlay(mode, {
          base: sized(images[0]),
          current: sized(images[1]),
          width: `${Math.round(width * scale)}px`,
          height: `${Math.round(height * scale)}px`
        });
        break;
      case 'difference':
        await this._renderDifference(images[0], images[1], {
          width: `${Math.round(width * scale)}px`,
          height: `${Math.round(height * scale)}px`
        });
        break;
    }
  }

  private _figure(
    url: string,
    path: string,
    size: { width: string; height: string },
    base = false
  ): HTMLElement {
    const { trans, name } = this._options;
    const img = h('img', {
      attrs: { src: url, alt: trans.__('%1 of %2', name, path) }
    });
    Object.assign(img.style, size);
    return h('figure', { className: 'jp-NbCompare-figure' }, [
      img,
      h('figcaption', {
        text: base ? trans.__('%1 (baseline)', basename(path)) : basename(path),
        title: path
      })
    ]);
  }

  private _renderOverlay(
    kind: 'swipe' | 'onion',
    size: {
      base: { width: string; height: string };
      current: { width: string; height: string };
      width: string;
      height: string;
    }
  ): void {
    const { trans, name, url, baseUrl, path, basePath } = this._options;
    // Swipe: this notebook underneath, the baseline on top clipped to the
    // slider. Onion skin: the baseline underneath, this notebook on top.
    const under = h('img', {
      className: 'jp-NbCompare-under',
      attrs: { src: kind === 'swipe' ? url : baseUrl!, alt: '' }
    });
    Object.assign(under.style, kind === 'swipe' ? size.current : size.base);
    const over = h('img', {
      className: 'jp-NbCompare-over',
      attrs: {
        src: kind === 'swipe' ? baseUrl! : url,
        alt: trans.__(
          '%1: %2 over %3',
          name,
          basename(path),
          basename(basePath ?? '')
        )
      }
    });
    Object.assign(over.style, kind === 'swipe' ? size.base : size.current);
    const wrap = h(
      'div',
      { className: `jp-NbCompare-overWrap jp-mod-${kind}` },
      [over]
    );
    const divider = h('div', { className: 'jp-NbCompare-divider' });
    const overlay = h('div', { className: 'jp-NbCompare-overlay' }, [
      under,
      wrap,
      kind === 'swipe' ? divider : null
    ]);
    overlay.style.width = size.width;
    overlay.style.height = size.height;
    const slider = h('input', {
      className: 'jp-NbCompare-slider',
      attrs: {
        type: 'range',
        min: '0',
        max: '100',
        value: '50',
        'aria-label':
          kind === 'swipe'
            ? trans.__('Swipe position')
            : trans.__('Opacity of %1', basename(path))
      }
    });
    const apply = () => {
      const value = Number(slider.value);
      if (kind === 'swipe') {
        // The baseline covers the left part, this notebook the right part.
        wrap.style.clipPath = `inset(0 ${100 - value}% 0 0)`;
        divider.style.left = `${value}%`;
      } else {
        wrap.style.opacity = String(value / 100);
      }
    };
    slider.addEventListener('input', apply);
    apply();
    const legend =
      kind === 'swipe'
        ? trans.__(
            'Left: %1 (baseline) · right: %2',
            basename(basePath ?? ''),
            basename(path)
          )
        : trans.__(
            '%1 over %2 (baseline)',
            basename(path),
            basename(basePath ?? '')
          );
    this._stage.appendChild(overlay);
    this._stage.appendChild(
      h('label', { className: 'jp-NbCompare-sliderLabel' }, [
        h('span', { text: legend }),
        slider
      ])
    );
  }

  private async _renderDifference(
    before: HTMLImageElement,
    after: HTMLImageElement,
    size: { width: string; height: string }
  ): Promise<void> {
    const { trans } = this._options;
    const stage = this._stage;
    const status = h('div', {
      className: 'jp-NbCompare-diffStatus',
      attrs: { role: 'status' }
    });
    stage.appendChild(status);
    try {
      const result = pixelDiff(pixels(before), pixels(after), {
        color: themeColor()
      });
      const canvas = h('canvas', {
        className: 'jp-NbCompare-heatmap',
        attrs: { 'aria-label': trans.__('Pixel difference heatmap') }
      });
      canvas.width = result.width;
      canvas.height = result.height;
      Object.assign(canvas.style, size);
      canvas
        .getContext('2d')!
        .putImageData(
          new ImageData(result.data, result.width, result.height),
          0,
          0
        );
      status.textContent = trans.__(
        '%1% of pixels changed (%2 of %3)',
        formatNumber(result.ratio * 100, 3),
        result.changed,
        result.total
      );
      status.dataset.ratio = String(result.ratio);
      stage.appendChild(canvas);
    } catch (reason) {
      status.textContent = trans.__(
        'The pixel difference could not be computed: %1',
        String((reason as Error)?.message ?? reason)
      );
    }
  }

  private _options: IImageCompareOptions;
  private _stage: HTMLElement;
  private _mode: ImageMode = 'image';
}
