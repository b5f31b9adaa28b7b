import {
  COMPARE_PAGE_PATTERN,
  comparisonSearchParams,
  pageFolder,
  parseComparisonSearch
} from '../shells/url';

describe('the address of a Notebook 7 comparison page', () => {
  it('round-trips paths in order, names and the baseline', () => {
    const args = {
      paths: ['runs/b a.ipynb', 'runs/a&b.ipynb', 'x/ü.ipynb'],
      names: ['mse', 'r2'],
      baseline: 'runs/a&b.ipynb'
    };
    const search = '?' + comparisonSearchParams(args).toString();
    expect(parseComparisonSearch(search)).toEqual(args);
  });

  it('leaves out what was not asked for', () => {
    const params = comparisonSearchParams({ paths: ['a.ipynb', 'b.ipynb'] });
    expect(params.toString()).toBe('path=a.ipynb&path=b.ipynb');
    expect(parseComparisonSearch(params.toString())).toEqual({
      paths: ['a.ipynb', 'b.ipynb']
    });
  });

  it('names no comparison without a path', () => {
    expect(parseComparisonSearch('')).toBeNull();
    expect(parseComparisonSearch('?path=&baseline=a.ipynb')).toBeNull();
  });

  it('drops repeated paths and a leading slash', () => {
    expect(
      parseComparisonSearch('?path=/a.ipynb&path=a.ipynb&path=b.ipynb')
    ).toEqual({ paths: ['a.ipynb', 'b.ipynb'] });
  });

  it('ignores a baseline that is not one of the notebooks', () => {
    expect(
      parseComparisonSearch('?path=a.ipynb&path=b.ipynb&baseline=c.ipynb')
    ).toEqual({ paths: ['a.ipynb', 'b.ipynb'] });
  });

  it.each([
    ['/nbcompare/view?path=a.ipynb', true],
    ['/nbcompare/view/?path=a.ipynb', true],
    ['/nbcompare/view', true],
    ['/nbcompare/view#x', true],
    ['/nbcompare/viewer?path=a.ipynb', false],
    ['/tree/nbcompare/view', false],
    ['/nbcompare/compare', false]
  ])('routes %s: %s', (request, routed) => {
    expect(COMPARE_PAGE_PATTERN.test(request)).toBe(routed);
  });
});

describe('the folder of a Notebook 7 page', () => {
  it.each([
    ['/notebooks/runs/a%20b.ipynb', '', '/', 'runs'],
    ['/user/x/notebooks/top.ipynb', '', '/user/x/', ''],
    ['/edit/deep/er/f.py', '', '/', 'deep/er'],
    ['/nbcompare/view', '?path=runs%2Fa.ipynb&path=b.ipynb', '/', 'runs'],
    ['/nbcompare/view', '', '/', null],
    ['/tree/runs', '', '/', null],
    ['/other/notebooks/a.ipynb', '', '/user/x/', null]
  ])('%s%s under %s is %s', (pathname, search, base, folder) => {
    expect(pageFolder(pathname, search, base)).toBe(folder);
  });
});
