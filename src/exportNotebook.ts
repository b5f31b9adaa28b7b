/**
 * "Export as comparison notebook": turn the comparison on screen into a plain
 * `.ipynb` that reproduces it with the Python API
 * (`jupyterlab_nbcompare.NotebookCollection`).
 *
 * The notebook is data, not a snapshot: rerunning it later compares the runs
 * as they are then, and its first code cell is tagged `parameters`, so
 * papermill can point it at other runs. The builder is a pure function (tested
 * against a committed file that the Python tests execute with papermill); the
 * saver only picks a free name and writes through the contents manager.
 */
import { PathExt } from '@jupyterlab/coreutils';
import { Contents } from '@jupyterlab/services';
import { saveAsNew } from './save';

/** What a comparison is: the same three fields as a `compare` request. */
export interface IComparisonSpec {
  /** Compared notebooks (server paths), in column order. */
  paths: string[];
  /** The baseline (one of `paths`); the first path when absent. */
  baseline?: string | null;
  /** The names shown; every name when absent or empty. */
  names?: string[] | null;
  /**
   * The parameters the runs are grouped by: the notebook then shows
   * `NotebookCollection.groups(by=...)`, the groups the panel showed.
   */
  groupBy?: string[] | null;
}

/** A cell of the generated notebook (the subset of nbformat 4.5 we write). */
export interface IGeneratedCell {
  id: string;
  cell_type: 'markdown' | 'code';
  metadata: { tags?: string[] };
  source: string;
  execution_count?: null;
  outputs?: [];
}

/** The generated notebook (nbformat 4.5). */
export interface IGeneratedNotebook {
  nbformat: 4;
  nbformat_minor: 5;
  metadata: {
    kernelspec: { name: string; display_name: string; language: string };
    language_info: { name: string };
    nbcompare: { generated: true };
  };
  cells: IGeneratedCell[];
}

/** The file name the export starts from; `-1`, `-2`... are added when taken. */
export const EXPORT_BASENAME = 'comparison';

/**
 * A Python literal for a string, a list of strings or null.
 *
 * JSON string syntax is a subset of Python's, so `JSON.stringify` gives a
 * faithful literal for any path or tag, quotes and backslashes included, and a
 * tag can never break out of its string into code.
 */
export function pythonLiteral(value: string | string[] | null): string {
  if (value === null) {
    return 'None';
  }
  if (Array.isArray(value)) {
    return `[${value.map(item => JSON.stringify(item)).join(', ')}]`;
  }
  return JSON.stringify(value);
}

/**
 * The folder the comparison notebook goes to: the baseline's, because that is
 * the run the user compares against and usually where the runs live.
 */
export function exportFolder(spec: IComparisonSpec): string {
  if (spec.paths.length === 0) {
    throw new Error('A comparison needs at least one notebook.');
  }
  return PathExt.dirname(spec.baseline ?? spec.paths[0]);
}

/** A server path made relative to `folder` (the notebook's working directory). */
export function relativeTo(folder: string, path: string): string {
  return PathExt.relative(`/${folder}`, `/${path}`);
}

/**
 * Build the comparison notebook for `spec`, with paths relative to `folder`
 * (the folder the notebook will be saved in, which is the kernel's working
 * directory when it runs).
 *
 * Pure and deterministic (fixed cell ids, no date) so that the output can be
 * compared byte for byte with the committed file that the Python tests run.
 */
export function buildComparisonNotebook(
  spec: IComparisonSpec,
  folder: string = exportFolder(spec)
): IGeneratedNotebook {
  if (spec.paths.length === 0) {
    throw new Error('A comparison needs at least one notebook.');
  }
  const baseline = spec.baseline ?? spec.paths[0];
  if (!spec.paths.includes(baseline)) {
    throw new Error(`The baseline ${baseline} is not one of the paths.`);
  }
  const names = spec.names && spec.names.length > 0 ? spec.names : null;
  const groupBy = spec.groupBy && spec.groupBy.length > 0 ? spec.groupBy : null;
  const paths = spec.paths.map(path => relativeTo(folder, path));

  const cells: IGeneratedCell[] = [];
  const markdown = (source: string) =>
    cells.push({
      id: `nbcompare-${cells.length}`,
      cell_type: 'markdown',
      metadata: {},
      source
    });
  const code = (source: string, tags?: string[]) =>
    cells.push({
      id: `nbcompare-${cells.length}`,
      cell_type: 'code',
      metadata: tags ? { tags } : {},
      source,
      execution_count: null,
      outputs: []
    });

  markdown(
    [
      `# Comparison of ${paths.length} notebook${paths.length === 1 ? '' : 's'}`,
      '',
      'Exported from the compare panel of jupyterlab-nbcompare. Run it again to',
      'compare the runs as they are now; edit `paths` below (or pass them with',
      "papermill's `-p`) to compare other runs. The same comparison is available",
      'in a terminal with `jupyter nbcompare`.'
    ].join('\n')
  );
  code(
    [
      '# Paths are relative to this notebook; names=None shows every name.',
      `paths = ${pythonLiteral(paths)}`,
      `baseline = ${pythonLiteral(relativeTo(folder, baseline))}`,
      `names = ${pythonLiteral(names)}`,
      ...(groupBy ? [`group_by = ${pythonLiteral(groupBy)}`] : [])
    ].join('\n'),
    ['parameters']
  );
  code(
    [
      'from jupyterlab_nbcompare import NotebookCollection',
      '',
      'collection = NotebookCollection(paths, ids="filenames", baseline=baseline)',
      '# Numbers side by side: one row per value (mapping items as name.key).',
      'collection.to_frame(names)'
    ].join('\n')
  );
  if (groupBy) {
    markdown(
      [
        `## Groups by ${groupBy.map(name => `\`${name}\``).join(', ')}`,
        '',
        "One row per group and value: n, mean, std, min, max, and the delta of means against the baseline's group with Welch's test (failed runs left out)."
      ].join('\n')
    );
    code('collection.groups(by=group_by)');
  }
  markdown('## Every value, side by side, with deltas against the baseline');
  code(
    [
      'from IPython.display import display',
      '',
      'for name in names or collection.names:',
      '    display(collection[name])'
    ].join('\n')
  );

  return {
    nbformat: 4,
    nbformat_minor: 5,
    metadata: {
      kernelspec: {
        name: 'python3',
        display_name: 'Python 3 (ipykernel)',
        language: 'python'
      },
      language_info: { name: 'python' },
      nbcompare: { generated: true }
    },
    cells
  };
}

/**
 * Write the comparison notebook beside the compared notebooks (in the
 * baseline's folder) under a name that is not taken, and return its model.
 */
export async function saveComparisonNotebook(
  contents: Contents.IManager,
  spec: IComparisonSpec
): Promise<Contents.IModel> {
  const folder = exportFolder(spec);
  const notebook = buildComparisonNotebook(spec, folder);
  return saveAsNew(contents, folder, EXPORT_BASENAME, 'ipynb', {
    type: 'notebook',
    format: 'json',
    content: notebook
  });
}
