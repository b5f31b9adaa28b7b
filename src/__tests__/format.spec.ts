import {
  basename,
  dirname,
  formatDelta,
  formatDuration,
  formatNumber,
  formatPercent,
  middleEllipsis,
  toNumber,
  valueKey
} from '../format';

describe('formatNumber: significant digits, never rounding small values away', () => {
  it.each([
    // [value, expected]: what a person must read in the cell
    [1e-5, '1e-5'],
    [0.000012344, '1.234e-5'],
    [0.219052588201182, '0.2191'],
    [0.5, '0.5'],
    [12, '12'],
    [-3, '\u22123'],
    [123456.789, '123500'],
    [2.5e9 + 0.5, '2.5e9'],
    [0, '0'],
    [NaN, 'NaN'],
    [Infinity, '\u221e']
  ])('%p is shown as %p', (value, expected) => {
    // Given a value from a metrics cell, When it is formatted
    // Then it keeps its magnitude (a 1e-5 mse never becomes 0)
    expect(formatNumber(value)).toBe(expected);
  });

  it('never turns a non-zero value into zero', () => {
    // Given tiny and huge magnitudes
    for (let exponent = -300; exponent <= 300; exponent += 7) {
      const value = 1.5 * 10 ** exponent;
      // When formatted, Then the text parses back to a non-zero number
      expect(Number(formatNumber(value))).not.toBe(0);
    }
  });
});

describe('deltas and durations', () => {
  it.each([
    [0.05, '+0.05'],
    [-0.00001, '\u22121e-5'],
    [0, '0']
  ])('delta %p reads %p', (delta, text) => {
    expect(formatDelta(delta)).toBe(text);
  });

  it.each([
    [0.25, '+25%'],
    [-0.0000123, '\u22120.00123%']
  ])('relative delta %p reads %p', (rel, text) => {
    expect(formatPercent(rel)).toBe(text);
  });

  it.each([
    [12.34, '12.3 s'],
    [125, '2 min 5 s'],
    [3720, '1 h 2 min'],
    [null, '']
  ])('duration %p reads %p', (seconds, text) => {
    expect(formatDuration(seconds)).toBe(text);
  });
});

describe('JSON helpers', () => {
  it('reads the non-finite strings of the server as numbers', () => {
    expect(toNumber('NaN')).toBeNaN();
    expect(toNumber('-Infinity')).toBe(-Infinity);
    expect(toNumber(true)).toBeNull();
    expect(toNumber('ridge')).toBeNull();
  });

  it('keys values so that NaN equals NaN and key order does not matter', () => {
    expect(valueKey(NaN)).toBe(valueKey('NaN'));
    expect(valueKey({ a: 1, b: [2] })).toBe(valueKey({ b: [2], a: 1 }));
    expect(valueKey(1)).not.toBe(valueKey('1'));
  });

  it('splits paths', () => {
    expect(basename('runs/a.ipynb')).toBe('a.ipynb');
    expect(dirname('runs/a.ipynb')).toBe('runs/');
    expect(dirname('a.ipynb')).toBe('');
  });
});

describe('middleEllipsis: long names keep their start and their end', () => {
  const stem = 'sweep_resnet50_imagenet_lr0.01_batch256_epochs90_warmup5';

  it('keeps the end that tells runs with a shared prefix apart', () => {
    const shown = [1, 2, 3].map(i =>
      middleEllipsis(`${stem}_seed${i}.ipynb`, 30)
    );
    expect(new Set(shown).size).toBe(3);
    for (const [i, text] of shown.entries()) {
      expect(Array.from(text).length).toBe(30);
      expect(text.startsWith('sweep_')).toBe(true);
      expect(text.endsWith(`_seed${i + 1}.ipynb`)).toBe(true);
      expect(text).toContain('\u2026');
    }
  });

  it.each([
    ['short names are untouched', 'a.ipynb', 30, 'a.ipynb'],
    ['exactly the limit is untouched', 'abcdef', 6, 'abcdef'],
    ['one over the limit loses its middle', 'abcdefg', 6, 'ab\u2026efg'],
    ['code points are not split', '😀😀😀😀😀😀😀', 6, '😀😀\u2026😀😀😀']
  ])('%s', (_name, text, max, expected) => {
    expect(middleEllipsis(text, max)).toBe(expected);
  });
});
