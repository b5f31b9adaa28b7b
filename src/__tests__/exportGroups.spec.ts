/**
 * The groups of a grouped panel's exports against the command line's
 * (`jupyter nbcompare --group-by`): the golden fixture
 * `tests/files/groups/golden.json` holds what `report_groups.py` writes for
 * real grouped answers, and `tests/test_groups_golden.py` checks the command
 * line against the same file.
 */
import * as fs from 'fs';
import * as path from 'path';

import { nullTranslator } from '@jupyterlab/translation';

import {
  comparisonHtml,
  comparisonMarkdown,
  escapeHtml,
  mdCell,
  metricsCsv
} from '../export';
import {
  formatG6,
  groupsCsv,
  groupsHtml,
  groupsMarkdown,
  groupText,
  pythonRepr,
  tidyRows
} from '../exportGroups';
import { buildComparisonNotebook } from '../exportNotebook';
import { CompareModel } from '../model';
import { ICompareResponse } from '../tokens';

jest.mock('../request', () => ({
  requestAPI: jest.fn(),
  serverURL: (url: string) => `/${url}`
}));

const FILES = path.resolve(__dirname, '..', '..', 'tests', 'files');
const answers = JSON.parse(
  fs.readFileSync(path.join(FILES, 'charts', 'golden.json'), 'utf-8')
).answers as Record<string, ICompareResponse>;
const golden = JSON.parse(
  fs.readFileSync(path.join(FILES, 'groups', 'golden.json'), 'utf-8')
) as {
  cases: { answer: string; csv: string; markdown: string; html: string }[];
};

/**
 * A whole number a run holds as a float (`C = 1.0`) is `1` once in JSON:
 * the known difference of the CSV (see exportGroups.ts), and only that.
 */
const wholeFloats = (csv: string) =>
  csv.replace(/(^|,)(-?\d+)\.0(?=,|\n)/gm, '$1$2');

describe('the groups tables: the golden fixture shared with pytest', () => {
  it('has cases', () => {
    expect(golden.cases.map(c => c.answer)).toEqual([
      'demo_by_model',
      'sweep_by_C'
    ]);
  });

  it.each(golden.cases.map(c => [c.answer, c] as const))(
    '%s: Markdown and HTML as the command line writes them',
    (_name, c) => {
      const answer = answers[c.answer];
      // (with the panel's own escapes, which leave these names as they are)
      expect(groupsMarkdown(answer, mdCell)).toBe(c.markdown);
      expect(groupsHtml(answer, escapeHtml)).toBe(c.html);
    }
  );

  it.each(golden.cases.map(c => [c.answer, c] as const))(
    '%s: CSV as the command line writes it',
    (_name, c) => {
      const csv = groupsCsv(answers[c.answer])!;
      // means, spreads and deltas to the last digit, 0.0 included
      const stats = (text: string) =>
        text.split('\n').map(line => line.split(',').slice(-9, -3).join(','));
      expect(stats(csv)).toEqual(stats(c.csv));
      expect(wholeFloats(csv)).toBe(wholeFloats(c.csv));
    }
  );
});

describe('the groups tables, piece by piece', () => {
  it('is null for an answer without groups', () => {
    const { groups: _, ...plain } = answers.sweep_by_C;
    expect(tidyRows(plain as ICompareResponse)).toBeNull();
    expect(groupsCsv(plain as ICompareResponse)).toBeNull();
  });

  it('writes numbers as Python does', () => {
    expect(pythonRepr(0.1)).toBe('0.1');
    expect(pythonRepr(3)).toBe('3');
    expect(pythonRepr(3, true)).toBe('3.0');
    expect(pythonRepr(1e-5)).toBe('1e-05');
    expect(pythonRepr(1.5e-7)).toBe('1.5e-07');
    expect(pythonRepr(2.5e16)).toBe('2.5e+16');
    expect(pythonRepr(NaN)).toBe('nan');
    expect(pythonRepr(-Infinity)).toBe('-inf');
    expect(formatG6(0.8066071734841564)).toBe('0.806607');
    expect(formatG6(22.419999999999998)).toBe('22.42');
    expect(formatG6(1234567.5)).toBe('1.23457e+06');
    expect(formatG6(0.0000123456789)).toBe('1.23457e-05');
    expect(formatG6(0.5)).toBe('0.5');
    expect(groupText(true)).toBe('True');
    expect(groupText(null)).toBe('');
    expect(groupText([1, 'a'])).toBe('[1, "a"]');
    expect(groupText(NaN)).toBe('NaN');
  });

  it('keeps a formula out of a spreadsheet and quotes what CSV must', () => {
    const answer = JSON.parse(JSON.stringify(answers.sweep_by_C));
    answer.groups[0].key = { 'cfg.C': '=cmd|x' };
    answer.groups[0].stats[0].name = 'a,"b"';
    const first = groupsCsv(answer)!.split('\n')[1];
    expect(first.startsWith(`'=cmd|x,"a,""b""",`)).toBe(true);
  });
});

describe('the exports of a grouped panel', () => {
  const trans = nullTranslator.load('jupyterlab_nbcompare');

  async function grouped(name: string, groupBy: string[]) {
    // (the fixture's answers are trimmed for the charts: its tables and
    // images are left out here; the groups are whole)
    const answer = {
      ...answers[name],
      values: answers[name].values.filter(value =>
        ['scalar', 'mapping'].includes(value.kind ?? '')
      )
    };
    const model = new CompareModel({
      paths: answer.notebooks.map(nb => nb.path),
      groupBy,
      fetch: async () => answer
    });
    await model.refresh();
    return model;
  }

  it.each([
    ['demo_by_model', ['model']],
    ['sweep_by_C', ['cfg.C']]
  ])('%s: CSV, Markdown and HTML carry the CLI’s groups', async (name, by) => {
    const c = golden.cases.find(item => item.answer === name)!;
    const model = await grouped(name, by);
    // the CSV is the groups table alone, as with --group-by -f csv
    expect(wholeFloats(metricsCsv(model))).toBe(wholeFloats(c.csv));
    // the Markdown report ends with the groups section
    expect(comparisonMarkdown(model, trans).endsWith(c.markdown)).toBe(true);
    // the HTML report has it before the end of its body
    expect(comparisonHtml(model, trans)).toContain(`${c.html}\n</body></html>`);
  });

  it('leaves the exports of an ungrouped panel as they were', async () => {
    const { groups: _, baseline_group: __, ...plain } = answers.sweep_by_C;
    const model = new CompareModel({
      paths: plain.notebooks.map(nb => nb.path),
      fetch: async () => plain as ICompareResponse
    });
    await model.refresh();
    expect(metricsCsv(model).startsWith('metric,direction,')).toBe(true);
    expect(comparisonMarkdown(model, trans)).not.toContain('Groups');
    expect(comparisonHtml(model, trans)).not.toContain('Groups');
  });

  it('makes the comparison notebook call NotebookCollection.groups(by=...)', () => {
    const paths = ['runs/a.ipynb', 'runs/b.ipynb'];
    const nb = buildComparisonNotebook(
      { paths, groupBy: ['model', 'cfg.C'] },
      'runs'
    );
    const sources = nb.cells.map(cell => cell.source);
    expect(sources[1]).toContain('group_by = ["model", "cfg.C"]');
    expect(nb.cells[1].metadata.tags).toEqual(['parameters']);
    expect(
      sources.some(src => src.includes('collection.groups(by=group_by)'))
    ).toBe(true);
    // and not when the panel is not grouped
    const plain = buildComparisonNotebook({ paths, groupBy: [] }, 'runs');
    expect(plain.cells.map(cell => cell.source).join('\n')).not.toContain(
      'groups('
    );
    expect(plain).toEqual(buildComparisonNotebook({ paths }, 'runs'));
  });
});
