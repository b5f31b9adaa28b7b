import { IPixels, pixelDiff } from '../pixeldiff';

/** A solid image of one colour. */
function solid(width: number, height: number, rgba: number[]): IPixels {
  const data = new Uint8ClampedArray(width * height * 4);
  for (let i = 0; i < width * height; i++) {
    data.set(rgba, i * 4);
  }
  return { width, height, data };
}

describe('pixelDiff', () => {
  it('finds no change between identical images', () => {
    const image = solid(4, 3, [10, 20, 30, 255]);
    const result = pixelDiff(image, solid(4, 3, [10, 20, 30, 255]));
    expect(result.changed).toBe(0);
    expect(result.ratio).toBe(0);
    expect(result.total).toBe(12);
  });

  it('counts exactly the pixels that changed and paints them in the colour', () => {
    // Given a 4x4 image where 4 of 16 pixels change
    const before = solid(4, 4, [0, 0, 0, 255]);
    const after = solid(4, 4, [0, 0, 0, 255]);
    for (const i of [0, 5, 10, 15]) {
      (after.data as Uint8ClampedArray).set([255, 255, 255, 255], i * 4);
    }
    // When compared
    const result = pixelDiff(before, after, { color: [1, 2, 3] });
    // Then a quarter of the pixels changed, and those are painted
    expect(result.changed).toBe(4);
    expect(result.ratio).toBeCloseTo(0.25);
    expect(Array.from(result.data.slice(0, 3))).toEqual([1, 2, 3]);
    expect(result.data[3]).toBe(255);
    // and an unchanged pixel is a faint copy, not the change colour
    expect(result.data[4 * 1 + 3]).toBeLessThan(96);
  });

  it('ignores changes within the threshold', () => {
    const result = pixelDiff(
      solid(2, 2, [100, 100, 100, 255]),
      solid(2, 2, [104, 100, 100, 255]),
      { threshold: 8 }
    );
    expect(result.changed).toBe(0);
  });

  it('compares images of different sizes on the larger canvas', () => {
    // Given a 2x2 and a 3x2 image with the same common pixels
    const result = pixelDiff(
      solid(2, 2, [5, 5, 5, 255]),
      solid(3, 2, [5, 5, 5, 255])
    );
    // Then the column only one image covers counts as changed
    expect([result.width, result.height]).toEqual([3, 2]);
    expect(result.changed).toBe(2);
  });

  it('handles empty images', () => {
    expect(pixelDiff(solid(0, 0, []), solid(0, 0, [])).ratio).toBe(0);
  });
});
