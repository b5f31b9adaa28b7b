import { nullTranslator } from '@jupyterlab/translation';

import { metricRows } from '../delta';
import { ICell, ITableCell, IValueRow } from '../tokens';
import { renderColumnHeader } from '../widgets/ColumnHeader';
import { renderMetricCell } from '../widgets/MetricCell';
import { renderSequence } from '../widgets/SequenceView';
import { renderTable } from '../widgets/TableView';
import { renderText } from '../widgets/TextView';
import { IViewContext } from '../widgets/types';
import { renderValueCell } from '../widgets/ValueCell';
import { A, B, C, response } from './fixtures';

jest.mock('../request', () => ({
  requestAPI: jest.fn(),
  serverURL: (url: string) => `/base/${url}`
}));

const trans = nullTranslator.load('jupyterlab_nbcompare');

/** The context of a cell in column `path` with the baseline's cell `base`. */
function context(
  path: string,
  base: ICell | null,
  row?: Partial<IValueRow>
): IViewContext {
  return {
    trans,
    row: {
      name: 'x',
      origin: 'tag',
      kind: 'text',
      direction: null,
      differs: true,
      cells: {},
      ...row
    },
    path,
    baseline: A,
    baseCell: base,
    rendermime: null,
    own: () => undefined,
    openImage: jest.fn()
  };
}

describe('sequence view', () => {
  it('marks added items with + and lists removed ones with −', () => {
    const node = renderSequence(
      {
        kind: 'sequence',
        items: ['s2', 'bmi', 'bp'],
        added: ['bp'],
        removed: ['age']
      },
      context(B, null)
    );
    const items = Array.from(node.querySelectorAll('.jp-NbCompare-item')).map(
      li => li.textContent
    );
    expect(items).toEqual(['s2', 'bmi', '+ bp', '\u2212 age']);
    expect(node.querySelector('.jp-mod-added')!.textContent).toBe('+ bp');
  });

  it('shows no marks in the baseline column', () => {
    const node = renderSequence(
      { kind: 'sequence', items: ['s2'], added: ['s2'], removed: ['x'] },
      context(A, null)
    );
    expect(
      node.querySelectorAll('.jp-mod-added, .jp-mod-removed')
    ).toHaveLength(0);
  });
});

describe('table view', () => {
  const base: ITableCell = {
    kind: 'table',
    columns: ['coef'],
    index: ['age', 'bmi'],
    rows: [[1.5], [2]],
    changed: null,
    added_rows: null,
    removed_rows: null,
    added_columns: null,
    removed_columns: null
  };

  it('highlights a changed cell with the baseline value and delta in its tooltip', () => {
    const cell: ITableCell = {
      ...base,
      index: ['age', 's1'],
      rows: [[1.25], [3]],
      changed: [['age', 'coef']],
      added_rows: ['s1'],
      removed_rows: ['bmi'],
      // as the server pairs them: age -> 0, s1 added
      row_pairs: [0, null],
      column_pairs: [0],
      changed_at: [[0, 0]]
    };
    const node = renderTable(cell, context(B, base));
    const changed = node.querySelector('td.jp-mod-changed') as HTMLElement;
    expect(changed.textContent).toBe('1.25');
    expect(changed.title).toContain('baseline: 1.5');
    expect(changed.title).toContain('delta: \u22120.25');
    const added = node.querySelector('tr.jp-mod-added th')!;
    expect(added.textContent).toBe('+ s1');
    expect(
      node.querySelector('.jp-NbCompare-removedLabels')!.textContent
    ).toContain('bmi');
  });
});

describe('text view', () => {
  it('diffs against the baseline text with +/− gutters', () => {
    const node = renderText(
      { kind: 'text', text: 'a\nB\nc' },
      context(B, { kind: 'text', text: 'a\nb\nc' })
    );
    const lines = Array.from(node.querySelectorAll('.jp-NbCompare-line')).map(
      l => [l.className.replace('jp-NbCompare-line jp-mod-', ''), l.textContent]
    );
    expect(lines).toEqual([
      ['same', '  a\n'],
      ['removed', '\u2212 b\n'],
      ['added', '+ B\n'],
      ['same', '  c\n']
    ]);
    expect(node.textContent).toContain('+1 −1 lines against the baseline');
  });

  it('shows the plain text in the baseline column', () => {
    const node = renderText({ kind: 'text', text: 'hello' }, context(A, null));
    expect(node.querySelector('pre')!.textContent).toBe('hello');
  });
});

describe('value cell', () => {
  it.each([
    [null, '.jp-NbCompare-missing', 'missing'],
    [
      { kind: 'error', ename: 'RuntimeError', evalue: 'diverged' },
      '.jp-NbCompare-errorBadge',
      'RuntimeErrordiverged'
    ],
    [
      { kind: 'unsupported', message: 'cannot decode' },
      '.jp-NbCompare-unsupported',
      'cannot decode'
    ]
  ])('%p', (cell, selector, text) => {
    const node = renderValueCell(cell as ICell | null, context(B, null));
    const target = node.matches(selector)
      ? node
      : node.querySelector(selector)!;
    expect(target.textContent).toBe(text);
  });

  it('shows html as text without a rendermime registry', () => {
    const node = renderValueCell(
      { kind: 'html', html: '<script>x()</script>' },
      context(B, null)
    );
    expect(node.querySelector('script')).toBeNull();
    expect(node.textContent).toBe('<script>x()</script>');
  });

  it('loads images lazily from the server url and opens the comparison on click', () => {
    const ctx = context(
      B,
      {
        kind: 'image',
        mime: 'image/png',
        url: 'nbcompare/output?a',
        sha256: 'a',
        width: 2,
        height: 2
      },
      { name: 'plot' }
    );
    const node = renderValueCell(
      {
        kind: 'image',
        mime: 'image/png',
        url: 'nbcompare/output?b',
        sha256: 'b',
        width: 2,
        height: 2
      },
      ctx
    );
    const img = node.querySelector('img')!;
    expect(img.getAttribute('loading')).toBe('lazy');
    expect(img.getAttribute('src')).toBe('/base/nbcompare/output?b');
    (node.querySelector('button') as HTMLButtonElement).click();
    expect(ctx.openImage).toHaveBeenCalledWith(B, ctx.row);
  });

  it('notes duplicates and several outputs', () => {
    const node = renderValueCell(
      {
        kind: 'text',
        text: 'x',
        duplicate: true,
        parts: [
          { kind: 'text', text: 'x' },
          { kind: 'error', ename: 'E', evalue: 'v' }
        ]
      },
      context(A, null)
    );
    expect(node.querySelector('.jp-NbCompare-notes')!.textContent).toBe(
      'duplicate2 outputs'
    );
  });
});

describe('a cell with several outputs', () => {
  const image = (url: string, sha256: string) => ({
    kind: 'image' as const,
    mime: 'image/png',
    url,
    sha256,
    width: 2,
    height: 2
  });

  it('shows every output, each against the baseline output at its position', () => {
    // Given B's cell shows a ROC curve then a confusion matrix; the baseline
    // has the same ROC curve and another matrix
    const base: ICell = {
      ...image('nbcompare/output?a&part=1', 'cm-a'),
      parts: [
        image('nbcompare/output?a&part=0', 'roc'),
        image('nbcompare/output?a&part=1', 'cm-a')
      ]
    };
    const ctx = context(B, base, { name: 'plots', kind: 'image' });
    const node = renderValueCell(
      {
        ...image('nbcompare/output?b&part=1', 'cm-b'),
        parts: [
          image('nbcompare/output?b&part=0', 'roc'),
          image('nbcompare/output?b&part=1', 'cm-b')
        ]
      },
      ctx
    );
    // Then both figures are there, in order, not only the last one
    const parts = Array.from(node.querySelectorAll('.jp-NbCompare-part'));
    expect(parts).toHaveLength(2);
    expect(
      parts.map(part => part.querySelector('img')!.getAttribute('src'))
    ).toEqual([
      '/base/nbcompare/output?b&part=0',
      '/base/nbcompare/output?b&part=1'
    ]);
    expect(parts[0].textContent).toContain('Output 1 of 2');
    // and each is compared with the baseline's output at the same position
    expect(parts[0].querySelector('.jp-NbCompare-same')).not.toBeNull();
    expect(parts[1].querySelector('.jp-NbCompare-same')).toBeNull();
    // When the second figure is clicked, Then its comparison opens at part 1
    (parts[1].querySelector('button') as HTMLButtonElement).click();
    expect(ctx.openImage).toHaveBeenCalledWith(B, ctx.row, 1);
  });
});

describe('metric cell', () => {
  const rows = metricRows(response().values, [A, B, C]);

  it('shows value, signed delta and %, and a ✗ for worse (not only colour)', () => {
    const onOpen = jest.fn();
    const node = renderMetricCell({
      trans,
      row: rows[0],
      cell: rows[0].cells[B],
      isBaseline: false,
      isBest: false,
      onOpen
    });
    expect(node.tagName).toBe('BUTTON');
    expect(node.querySelector('.jp-NbCompare-value')!.textContent).toBe('0.25');
    expect(node.querySelector('.jp-NbCompare-delta')!.textContent).toBe(
      '\u25b2 +0.05 (+25%)'
    );
    expect(node.querySelector('.jp-NbCompare-verdict')!.textContent).toBe(
      '\u2717'
    );
    expect(node.title).toContain('worse than the baseline');
    node.click();
    expect(onOpen).toHaveBeenCalled();
  });

  it('keeps a tiny value visible and marks the best one', () => {
    const node = renderMetricCell({
      trans,
      row: rows[0],
      cell: { value: 1e-5, delta: 0, rel_delta: 0, better: null },
      isBaseline: true,
      isBest: true,
      onOpen: () => undefined
    });
    expect(node.querySelector('.jp-NbCompare-value')!.textContent).toBe('1e-5');
    expect(node.title.split('\n')[0]).toBe('0.00001');
    expect(node.querySelector('.jp-NbCompare-best')).not.toBeNull();
    expect(node.querySelector('.jp-NbCompare-delta')).toBeNull();
  });

  it.each([
    ['Infinity', 'Infinity'],
    ['-Infinity', '-Infinity'],
    ['NaN', 'NaN']
  ])(
    'reads "= baseline" for %p against the same value, never "NaN (NaN)"',
    (value, baseValue) => {
      // Given a non-finite value equal to the baseline's: the server's delta
      // of inf - inf (or NaN - NaN) is NaN
      const node = renderMetricCell({
        trans,
        row: rows[0],
        cell: { value, delta: 'NaN', rel_delta: 'NaN', better: null },
        base: { value: baseValue, delta: 0, rel_delta: 0, better: null },
        isBaseline: false,
        isBest: false,
        onOpen: () => undefined
      } as any);
      // Then the cell says it equals the baseline
      expect(node.querySelector('.jp-NbCompare-delta')!.textContent).toBe(
        '= baseline'
      );
      expect(node.textContent).not.toContain('NaN (NaN)');
    }
  );

  it('shows no delta when one side is NaN', () => {
    const node = renderMetricCell({
      trans,
      row: rows[0],
      cell: { value: 0.3, delta: 'NaN', rel_delta: 'NaN', better: null },
      base: { value: 'NaN', delta: 0, rel_delta: 0, better: null },
      isBaseline: false,
      isBest: false,
      onOpen: () => undefined
    });
    expect(node.querySelector('.jp-NbCompare-delta')).toBeNull();
    expect(node.textContent).toBe('0.3');
  });

  it('shows an explicit missing mark', () => {
    const node = renderMetricCell({
      trans,
      row: rows[0],
      cell: null,
      isBaseline: false,
      isBest: false,
      onOpen: () => undefined
    });
    expect(node.textContent).toBe('missing');
  });
});

describe('column header', () => {
  it('keeps the distinguishing end of a long file name, the full path on hover', () => {
    const stem = 'sweep_resnet50_imagenet_lr0.01_batch256_epochs90_warmup5';
    const shown = [1, 2].map(i => {
      const path = `runs/${stem}_seed${i}.ipynb`;
      const node = renderColumnHeader({
        trans,
        path,
        info: null,
        isBaseline: false,
        onSetBaseline: jest.fn(),
        onOpen: jest.fn()
      });
      const name = node.querySelector<HTMLElement>('.jp-NbCompare-colName')!;
      expect(name.title).toContain(path);
      expect(name.getAttribute('aria-label')).toBe(`Open ${path}`);
      return name.querySelector('.jp-NbCompare-colBase')!.textContent!;
    });
    expect(shown[0]).not.toBe(shown[1]);
    expect(shown[1].endsWith('_seed2.ipynb')).toBe(true);
    expect(shown[1].startsWith('sweep_')).toBe(true);
  });

  it('names the notebook by its full path and shows an unreadable notebook’s error', () => {
    const node = renderColumnHeader({
      trans,
      path: 'runs/broken.ipynb',
      info: {
        path: 'runs/broken.ipynb',
        last_modified: null,
        status: 'unreadable',
        error: { code: 'invalid_json', message: 'Expecting value: line 1' },
        duration: null,
        parameters: {}
      },
      isBaseline: false,
      onSetBaseline: jest.fn(),
      onOpen: jest.fn(),
      isPinned: false,
      onTogglePin: jest.fn()
    });
    expect(node.querySelector('.jp-NbCompare-colName')!.textContent).toBe(
      'runs/broken.ipynb'
    );
    expect(node.querySelector('.jp-NbCompare-status')!.textContent).toBe(
      'unreadable'
    );
    expect(node.querySelector('.jp-NbCompare-colError')!.textContent).toBe(
      'Expecting value: line 1'
    );
    // and, having no values, it is offered neither as baseline nor as pin
    expect(node.querySelector('button.jp-NbCompare-setBaseline')).toBeNull();
    expect(node.querySelector('button.jp-NbCompare-pinToggle')).toBeNull();
  });

  it('pins the baseline and shows the duration', () => {
    const node = renderColumnHeader({
      trans,
      path: A,
      info: { ...response().notebooks[0], duration: 125 },
      isBaseline: true,
      onSetBaseline: jest.fn(),
      onOpen: jest.fn()
    });
    expect(node.querySelector('.jp-NbCompare-baselineMark')!.textContent).toBe(
      'Baseline'
    );
    expect(node.querySelector('.jp-NbCompare-setBaseline')).toBeNull();
    expect(node.querySelector('.jp-NbCompare-duration')!.textContent).toBe(
      '2 min 5 s'
    );
  });
});
