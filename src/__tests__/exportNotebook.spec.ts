/// <reference types="node" />
import * as fs from 'fs';
import * as path from 'path';

import { Contents } from '@jupyterlab/services';

import {
  buildComparisonNotebook,
  exportFolder,
  IComparisonSpec,
  pythonLiteral,
  relativeTo,
  saveComparisonNotebook
} from '../exportNotebook';

/**
 * The committed notebook that tests/test_export_notebook.py executes with
 * papermill against real runs. This test fails when the builder's output
 * differs from it, so the Python test always runs what the panel writes.
 * Regenerate it with `UPDATE_GENERATED=1 jlpm jest src/__tests__/exportNotebook.spec.ts`.
 */
const GENERATED = path.resolve(
  __dirname,
  '..',
  '..',
  'tests',
  'files',
  'generated',
  'comparison.ipynb'
);

/** The fixed comparison behind the committed file: runs of examples/generate.py. */
const FIXED: IComparisonSpec = {
  paths: [
    'runs/ridge_alpha1.ipynb',
    'runs/ridge_alpha10.ipynb',
    'runs/ridge_diverged.ipynb',
    'runs/ols_seed1.ipynb'
  ],
  baseline: 'runs/ridge_alpha10.ipynb',
  names: [
    'mse',
    'metrics',
    'coefficients',
    'residuals_plot',
    'top_features',
    'sanity_check',
    'r2'
  ]
};

/** The parameters cell's source of a generated notebook. */
const parametersSource = (spec: IComparisonSpec, folder?: string) => {
  const nb = buildComparisonNotebook(spec, folder);
  const cell = nb.cells.find(c => c.metadata.tags?.includes('parameters'));
  expect(cell).toBeDefined();
  return cell!.source;
};

/**
 * A contents manager over a set of paths that behaves like Jupyter's for
 * what saving uses: newUntitled picks a free untitled name, rename refuses an
 * existing target with 409, delete removes. Records what is saved.
 */
function fakeContents(existing: string[]) {
  const files = new Set(existing);
  const saved: { path: string; options: Partial<Contents.IModel> }[] = [];
  const manager = {
    newUntitled: jest.fn(async (options: Contents.ICreateOptions) => {
      const folder = options.path ? `${options.path}/` : '';
      const ext = options.type === 'notebook' ? '.ipynb' : options.ext;
      let path = `${folder}untitled${ext}`;
      for (let n = 1; files.has(path); n++) {
        path = `${folder}untitled${n}${ext}`;
      }
      files.add(path);
      return { path, type: options.type };
    }),
    save: jest.fn(async (p: string, options: Partial<Contents.IModel>) => {
      saved.push({ path: p, options });
      files.add(p);
      return { path: p, type: options.type };
    }),
    rename: jest.fn(async (from: string, to: string) => {
      if (files.has(to)) {
        throw { response: { status: 409 } };
      }
      files.delete(from);
      files.add(to);
      return { path: to, type: 'file' };
    }),
    delete: jest.fn(async (p: string) => {
      files.delete(p);
    })
  };
  return { manager: manager as unknown as Contents.IManager, saved, files };
}

describe('buildComparisonNotebook', () => {
  it('matches the committed notebook that the Python tests execute', () => {
    // Given the fixed comparison of four example runs
    // When the notebook is built as the panel would save it (in runs/)
    const text =
      JSON.stringify(buildComparisonNotebook(FIXED, 'runs'), null, 1) + '\n';
    // Then it is byte for byte the committed file (or rewrites it on request)
    if (process.env.UPDATE_GENERATED) {
      fs.mkdirSync(path.dirname(GENERATED), { recursive: true });
      fs.writeFileSync(GENERATED, text);
    }
    expect(fs.readFileSync(GENERATED, 'utf-8')).toBe(text);
  });

  it('matches the committed grouped notebook that the Python tests execute', () => {
    // Given the same comparison grouped by model, as a grouped panel exports it
    const file = GENERATED.replace(/\.ipynb$/, '_grouped.ipynb');
    const text =
      JSON.stringify(
        buildComparisonNotebook({ ...FIXED, groupBy: ['model'] }, 'runs'),
        null,
        1
      ) + '\n';
    if (process.env.UPDATE_GENERATED) {
      fs.writeFileSync(file, text);
    }
    // Then it is byte for byte the committed file, which calls groups(by=...)
    expect(fs.readFileSync(file, 'utf-8')).toBe(text);
    expect(text).toContain('collection.groups(by=group_by)');
  });

  it('writes paths relative to the folder the notebook is saved in', () => {
    // Given runs in two folders, the baseline in runs/
    const spec = {
      paths: ['runs/a.ipynb', 'other/b.ipynb', 'runs/deep/c.ipynb'],
      baseline: 'runs/a.ipynb'
    };
    // When the notebook is built for the baseline's folder
    const source = parametersSource(spec);
    // Then each path resolves from runs/ to the same server path
    expect(exportFolder(spec)).toBe('runs');
    expect(source).toContain(
      'paths = ["a.ipynb", "../other/b.ipynb", "deep/c.ipynb"]'
    );
    expect(source).toContain('baseline = "a.ipynb"');
    expect(source).toContain('names = None');
  });

  it.each([
    ['root folder', '', 'x/a.ipynb', 'x/a.ipynb'],
    ['same folder', 'x', 'x/a.ipynb', 'a.ipynb'],
    ['sibling folder', 'x', 'y/a.ipynb', '../y/a.ipynb'],
    ['parent folder', 'x/y', 'a.ipynb', '../../a.ipynb']
  ])('relativeTo: %s', (_label, folder, target, expected) => {
    expect(relativeTo(folder, target)).toBe(expected);
  });

  it('defaults the baseline to the first path', () => {
    const source = parametersSource({ paths: ['b.ipynb', 'a.ipynb'] });
    expect(source).toContain('baseline = "b.ipynb"');
  });

  it('keeps hostile names inside their Python string literals', () => {
    // Given tags and paths with quotes, backslashes and newlines
    const evil = 'x"]\nimport os; os.system("rm -rf /")  # \\';
    const source = parametersSource({
      paths: [`runs/${evil}.ipynb`],
      names: [evil, "it's"]
    });
    // Then every line is an assignment: the newline stayed escaped
    const lines = source.split('\n').filter(l => !l.startsWith('#'));
    expect(lines).toHaveLength(3);
    for (const line of lines) {
      expect(line).toMatch(/^(paths|baseline|names) = /);
    }
    // And the literal decodes back to the original text (JSON is valid Python here)
    const names = lines.find(l => l.startsWith('names = '))!.slice(8);
    expect(JSON.parse(names)).toEqual([evil, "it's"]);
  });

  it.each([
    [null, 'None'],
    ['a', '"a"'],
    [[], '[]'],
    [['a', 'b"c'], '["a", "b\\"c"]']
  ])('pythonLiteral(%p) is %s', (value, expected) => {
    expect(pythonLiteral(value as string | string[] | null)).toBe(expected);
  });

  it('treats an empty names list as every name', () => {
    expect(parametersSource({ paths: ['a.ipynb'], names: [] })).toContain(
      'names = None'
    );
  });

  it.each([
    ['no paths', { paths: [] }],
    ['a baseline outside paths', { paths: ['a.ipynb'], baseline: 'b.ipynb' }]
  ])('refuses %s', (_label, spec) => {
    expect(() =>
      buildComparisonNotebook(spec as IComparisonSpec, '')
    ).toThrow();
  });

  it('is a valid nbformat 4.5 skeleton with unique cell ids', () => {
    const nb = buildComparisonNotebook(FIXED, 'runs');
    expect(nb.nbformat).toBe(4);
    expect(nb.nbformat_minor).toBe(5);
    const ids = nb.cells.map(c => c.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const cell of nb.cells) {
      expect(cell.id).toMatch(/^[a-zA-Z0-9-_]{1,64}$/);
      if (cell.cell_type === 'code') {
        expect(cell.outputs).toEqual([]);
        expect(cell.execution_count).toBeNull();
      }
    }
  });
});

describe('saving the comparison notebook', () => {
  it('takes the first free name beside the baseline and never overwrites', async () => {
    // Given runs/comparison.ipynb and runs/comparison-1.ipynb already exist
    const { manager, saved, files } = fakeContents([
      'runs/comparison.ipynb',
      'runs/comparison-1.ipynb'
    ]);
    // When the comparison is exported
    const model = await saveComparisonNotebook(manager, {
      paths: ['runs/a.ipynb', 'runs/b.ipynb']
    });
    // Then it is written once, into a file of its own, renamed to comparison-2
    expect(model.path).toBe('runs/comparison-2.ipynb');
    expect(saved).toHaveLength(1);
    expect(saved[0].path).toBe('runs/untitled.ipynb');
    expect(saved[0].options.type).toBe('notebook');
    expect(saved[0].options.format).toBe('json');
    expect(JSON.stringify(saved[0].options.content)).toContain(
      'NotebookCollection'
    );
    // And nothing else was created or replaced
    expect([...files].sort()).toEqual([
      'runs/comparison-1.ipynb',
      'runs/comparison-2.ipynb',
      'runs/comparison.ipynb'
    ]);
  });

  it('never writes over a file created while it saves', async () => {
    // Given a folder where comparison.ipynb appears after the export started
    const { manager, files } = fakeContents([]);
    const realSave = manager.save.bind(manager);
    (manager as any).save = jest.fn(async (p: string, options: any) => {
      files.add('comparison.ipynb'); // someone else's file, created meanwhile
      return realSave(p, options);
    });
    // When the comparison is exported, Then it lands beside it, not over it
    const model = await saveComparisonNotebook(manager, {
      paths: ['a.ipynb']
    });
    expect(model.path).toBe('comparison-1.ipynb');
  });

  it('saves at the root when the runs are at the root', async () => {
    const { manager } = fakeContents([]);
    const model = await saveComparisonNotebook(manager, { paths: ['a.ipynb'] });
    expect(model.path).toBe('comparison.ipynb');
  });

  it('removes its temporary file when the server fails for another reason', async () => {
    // Given a server that refuses every rename with 500
    const { manager, files } = fakeContents([]);
    (manager as any).rename = jest.fn(async () => {
      throw { response: { status: 500 } };
    });
    // Then the export fails, and leaves no untitled file behind
    await expect(
      saveComparisonNotebook(manager, { paths: ['a.ipynb'] })
    ).rejects.toEqual({ response: { status: 500 } });
    expect([...files]).toEqual([]);
  });
});
