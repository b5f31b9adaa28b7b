import { nullTranslator } from '@jupyterlab/translation';

import {
  comparisonHtml,
  comparisonMarkdown,
  csvField,
  mdCell,
  escapeHtml,
  imageUrls,
  metricsCsv,
  metricText
} from '../export';
import { CompareModel } from '../model';
import { ICompareResponse } from '../tokens';
import { A, B, C, response } from './fixtures';

jest.mock('../request', () => ({
  requestAPI: jest.fn(),
  serverURL: (url: string) => `/${url}`
}));

const trans = nullTranslator.load('jupyterlab_nbcompare');

/** A loaded model over a given answer. */
async function modelOf(data: ICompareResponse): Promise<CompareModel> {
  const model = new CompareModel({
    paths: data.notebooks.map(n => n.path),
    fetch: async () => data
  });
  await model.refresh();
  return model;
}

/** The fixture answer with hostile text in a name, a path-like value and an html output. */
function hostile(): ICompareResponse {
  const data = response();
  data.values.push({
    name: '<img src=x onerror=alert(1)>',
    origin: 'tag',
    kind: 'html',
    direction: null,
    differs: true,
    cells: {
      [A]: { kind: 'html', html: '<script>alert(1)</script><b>ok</b>' },
      [B]: null,
      [C]: null
    }
  });
  return data;
}

describe('CSV export of the metrics table', () => {
  it.each([
    [0.1, '0.1'],
    [1e-5, '0.00001'],
    ['NaN', 'NaN'],
    [null, ''],
    ['a,b', '"a,b"'],
    ['say "hi"', '"say ""hi"""'],
    ['=HYPERLINK("x")', '"\'=HYPERLINK(""x"")"'],
    ['-rm', "'-rm"],
    [true, 'True']
  ])('field %p is written %p', (value, expected) => {
    expect(csvField(value)).toBe(expected);
  });

  it('has one column per notebook and full precision values, missing left empty', async () => {
    // Given the comparison of three notebooks where C lacks mse
    const model = await modelOf(response());
    // When exported
    const lines = metricsCsv(model).trimEnd().split('\r\n');
    // Then the header names the notebooks and each metric is a row
    expect(lines[0]).toBe(`metric,direction,${A},${B},${C}`);
    expect(lines).toContain('status,,ok,ok,failed');
    expect(lines).toContain('parameters.alpha,,0.1,1,1000');
    expect(lines).toContain('parameters.model,,ridge,ridge,ridge');
    expect(lines).toContain('mse,lower,0.2,0.25,');
    expect(lines).toContain('metrics.r2,higher,0.9,0.9,0.9');
  });

  it('follows the current view (only differences)', async () => {
    const model = await modelOf(response());
    model.onlyDifferences = true;
    expect(metricsCsv(model)).not.toContain('metrics.r2');
  });
});

describe('wide CSV', () => {
  it('keeps a run whose values are all missing, with its status', async () => {
    // Given a third notebook that could not be read: no value, no parameter
    const data = response();
    data.notebooks[2] = {
      ...data.notebooks[2],
      status: 'unreadable',
      error: { code: 'invalid_json', message: 'not JSON' },
      parameters: {}
    };
    for (const value of data.values) {
      value.cells[C] = null;
    }
    const lines = metricsCsv(await modelOf(data))
      .trimEnd()
      .split('\r\n');
    // Then it still has its column: its status, and empty fields elsewhere
    expect(lines[0]).toBe(`metric,direction,${A},${B},${C}`);
    expect(lines).toContain('status,,ok,ok,unreadable');
    expect(lines).toContain('parameters.alpha,,0.1,1,');
    expect(lines).toContain('mse,lower,0.2,0.25,');
  });

  it('names the leaves of a dict parameter with dots', async () => {
    // Given runs with a dict parameter, from a server with parameters_flat
    // and from one without it (worked out in the panel)
    const data = response();
    data.notebooks[0].parameters.model_params = {
      value: { C: 0.1, kernel: { name: 'rbf' } },
      injected: true
    };
    data.notebooks[1].parameters_flat = {
      'model_params.C': { value: 1, injected: true },
      'model_params.kernel.name': { value: 'linear', injected: true }
    };
    const lines = metricsCsv(await modelOf(data))
      .trimEnd()
      .split('\r\n');
    expect(lines).toContain('parameters.model_params.C,,0.1,1,');
    expect(lines).toContain('parameters.model_params.kernel.name,,rbf,linear,');
    expect(lines.join('\n')).not.toContain('[object Object]');
  });
});

describe('Markdown cells', () => {
  it.each([
    ['![x](https://e.invalid/t.png)', '!\\[x\\](https://e.invalid/t.png)'],
    ['[click](javascript:alert(1))', '\\[click\\](javascript:alert(1))'],
    ['`code` <b>', '\\`code\\` \\<b\\>'],
    ['{"n_neighbors": 15}', '{"n_neighbors": 15}'],
    ["it's & co", "it's & co"],
    ['&quot; &#39;', '\\&quot; \\&#39;'],
    ['2*3 ~x~ __init__', '2\\*3 \\~x\\~ \\_\\_init\\_\\_'],
    ['# not a heading', '\\# not a heading'],
    ['a|b\nc', 'a\\|b<br>c'],
    ['back\\slash', 'back\\\\slash']
  ])('notebook text %p is written as the literal %p', (text, expected) => {
    // Given notebook text that Markdown or HTML would turn into a link, an
    // image or markup; When escaped for a table cell; Then it stays literal
    expect(mdCell(text)).toBe(expected);
  });
});

describe('HTML report', () => {
  it('escapes notebook text and sanitizes html outputs, with a CSP that forbids scripts', async () => {
    const model = await modelOf(hostile());
    const html = comparisonHtml(model, trans, {
      sanitize: text => text.replace(/<script>.*?<\/script>/g, '')
    });
    expect(html).toContain(
      `content="default-src 'none'; img-src data:; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'"`
    );
    expect(html).toContain('&lt;img src=x onerror=alert(1)&gt;');
    expect(html).not.toContain('<img src=x');
    expect(html).not.toContain('<script>');
    expect(html).toContain('<b>ok</b>');
  });

  it('shows html as escaped source without a sanitizer', async () => {
    const html = comparisonHtml(await modelOf(hostile()), trans);
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
  });

  it('embeds images as data URIs', async () => {
    const data = response();
    data.values.push({
      name: 'plot',
      origin: 'tag',
      kind: 'image',
      direction: null,
      differs: false,
      cells: Object.fromEntries(
        [A, B, C].map(p => [
          p,
          {
            kind: 'image',
            mime: 'image/png',
            url: `nbcompare/output?path=${p}`,
            sha256: 'x',
            width: 1,
            height: 1
          }
        ])
      )
    });
    const model = await modelOf(data);
    const urls = imageUrls(model);
    expect(urls).toHaveLength(3);
    const images = new Map(urls.map(u => [u, 'data:image/png;base64,AAAA']));
    const html = comparisonHtml(model, trans, { images });
    expect(html.match(/src="data:image\/png;base64,AAAA"/g)).toHaveLength(3);
  });
});

describe('Markdown export', () => {
  it('has the parameters, the metrics with deltas and verdicts, and escapes table cells', async () => {
    const model = await modelOf(hostile());
    const md = comparisonMarkdown(model, trans);
    expect(md).toContain('## Parameters');
    expect(md).toContain('## Metrics');
    // B's mse is worse than A's by +0.05 (+25%)
    expect(md).toMatch(
      /\| mse \| 0\.2 ★ \| 0\.25 \(\+0\.05, \+25%\) ✗ worse \| missing \|/
    );
    expect(md).toContain('\\<img src=x onerror=alert(1)\\>');
    expect(md).not.toContain('&lt;');
  });

  it('uses a fence longer than any backtick run in the text', async () => {
    const data = response();
    (data.values[4].cells[A] as any).text = 'a ```` b';
    const md = comparisonMarkdown(await modelOf(data), trans);
    expect(md).toContain('`````text\na ```` b\n`````');
  });
});

describe('metricText', () => {
  it.each([
    [null, false, false, 'missing'],
    [
      { value: 1e-5, delta: 0, rel_delta: 0, better: null },
      true,
      true,
      '1e-5 ★'
    ],
    [
      { value: 2, delta: -1, rel_delta: -0.5, better: true },
      false,
      false,
      '2 (−1, −50%) ✓ better'
    ]
  ])('%p', (cell, isBaseline, isBest, text) => {
    expect(metricText(cell as any, isBaseline, isBest)).toBe(text);
  });

  it.each([
    ['Infinity', 'Infinity', '\u221e (= baseline)'],
    ['NaN', 'NaN', 'NaN (= baseline)'],
    ['NaN', 1, 'NaN'],
    [2, 'NaN', '2']
  ])(
    'writes %p against a baseline of %p as %p, never "(NaN, NaN)"',
    (value, base, text) => {
      const cell = { value, delta: 'NaN', rel_delta: 'NaN', better: null };
      const baseCell = { value: base, delta: 0, rel_delta: 0, better: null };
      expect(metricText(cell as any, false, false, baseCell as any)).toBe(text);
    }
  );
});

describe('escapeHtml', () => {
  it('escapes every markup character', () => {
    expect(escapeHtml(`<a href="x" title='y'>&</a>`)).toBe(
      '&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;&lt;/a&gt;'
    );
  });
});
