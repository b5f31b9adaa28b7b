/**
 * Pixel difference of two images, computed in the browser on raw RGBA data.
 *
 * Pure (no canvas here): the image view draws both images on canvases, passes
 * their `ImageData`-like buffers in and puts the returned heatmap back. Images
 * of different sizes are compared on the larger canvas; a pixel that only one
 * image covers counts as changed.
 */

/** RGBA pixels, row-major, 4 bytes per pixel (the shape of `ImageData`). */
export interface IPixels {
  width: number;
  height: number;
  data: Uint8ClampedArray | Uint8Array | number[];
}

/** Options of {@link pixelDiff}. */
export interface IPixelDiffOptions {
  /**
   * A pixel changed when one channel differs by more than this (0-255).
   * 0 (the default) counts every change; antialiasing noise needs ~8.
   */
  threshold?: number;
  /** Colour of changed pixels in the heatmap, RGB 0-255. */
  color?: [number, number, number];
}

/** The result of {@link pixelDiff}. */
export interface IPixelDiff {
  width: number;
  height: number;
  /** The heatmap as RGBA: changed pixels in `color`, stronger when larger. */
  data: Uint8ClampedArray;
  /** How many pixels changed. */
  changed: number;
  /** width * height. */
  total: number;
  /** changed / total, 0 for empty images. */
  ratio: number;
}

function channel(image: IPixels, x: number, y: number, c: number): number {
  return image.data[(y * image.width + x) * 4 + c] as number;
}

/**
 * Compare two images pixel by pixel and draw where they differ.
 *
 * Unchanged pixels are drawn as a faint grey copy of `before` (so the heatmap
 * keeps the picture's shape); changed pixels in `color`, with an opacity that
 * grows with the size of the change.
 */
export function pixelDiff(
  before: IPixels,
  after: IPixels,
  options: IPixelDiffOptions = {}
): IPixelDiff {
  const threshold = options.threshold ?? 0;
  const [red, green, blue] = options.color ?? [213, 94, 0];
  const width = Math.max(before.width, after.width);
  const height = Math.max(before.height, after.height);
  const data = new Uint8ClampedArray(width * height * 4);
  let changed = 0;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const o = (y * width + x) * 4;
      const inA = x < before.width && y < before.height;
      const inB = x < after.width && y < after.height;
      let diff = 0;
      if (inA && inB) {
        for (let c = 0; c < 4; c++) {
          diff = Math.max(
            diff,
            Math.abs(channel(before, x, y, c) - channel(after, x, y, c))
          );
        }
      } else {
        diff = 255;
      }
      if (diff > threshold) {
        changed++;
        data[o] = red;
        data[o + 1] = green;
        data[o + 2] = blue;
        data[o + 3] = 96 + Math.round((159 * diff) / 255);
      } else if (inA) {
        const grey = Math.round(
          0.299 * channel(before, x, y, 0) +
            0.587 * channel(before, x, y, 1) +
            0.114 * channel(before, x, y, 2)
        );
        data[o] = grey;
        data[o + 1] = grey;
        data[o + 2] = grey;
        data[o + 3] = Math.round(channel(before, x, y, 3) * 0.25);
      }
    }
  }
  const total = width * height;
  return {
    width,
    height,
    data,
    changed,
    total,
    ratio: total === 0 ? 0 : changed / total
  };
}
