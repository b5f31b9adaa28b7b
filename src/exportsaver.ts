/**
 * Where an export goes: the user says, and nothing is overwritten without
 * asking.
 *
 * Every export of the panel (HTML, CSV, Markdown, the comparison notebook,
 * a view file) asks for a path, suggesting a free name in a default folder:
 * beside the view file for a view, else the folder the user chose to keep
 * for exports (a `reports/` folder, picked once and remembered in the state
 * database), else the baseline's folder. The file is then written with
 * {@link saveNew}, which never replaces an existing file; when the name is
 * taken the user is asked whether to overwrite it, or to pick another.
 */
import { Contents } from '@jupyterlab/services';
import { IStateDB } from '@jupyterlab/statedb';
import { Token } from '@lumino/coreutils';

import { folderOf, freeName, saveNew } from './save';

/** The state database key of the folder kept for exports. */
export const EXPORT_FOLDER_KEY = 'jupyterlab-nbcompare:export-folder';

/** What the user answered in the "save as" dialog. */
export interface ISaveAnswer {
  /** The API path to save to. */
  path: string;
  /** Whether to keep its folder as the default of later exports. */
  remember: boolean;
}

/** What an export asks the saver. */
export interface IExportRequest {
  /** The folder the suggestion is in (see the module's doc for which). */
  folder: string;
  /** The suggested file name without extension (`comparison`). */
  stem: string;
  /** The extension without its dot (`html`). */
  extension: string;
  /** What the dialog says this export is (`HTML report`). */
  label: string;
  /** The content for a file saved in `folder` (a notebook's paths are relative to it). */
  content: (
    folder: string
  ) => Partial<Contents.IModel> | Promise<Partial<Contents.IModel>>;
  /** Whether "use this folder for exports" is offered (not beside a view file). */
  offerRemember: boolean;
}

/** Asks where to save; null when the user cancels. */
export type AskPath = (options: {
  suggestion: string;
  label: string;
  offerRemember: boolean;
  /**
   * Why the dialog is shown again: `invalid` (the path names no file inside
   * the root) or `exists` (the user would not overwrite it); null the first time.
   */
  problem: 'invalid' | 'exists' | null;
}) => Promise<ISaveAnswer | null>;

/** Asks whether to replace `path`. */
export type ConfirmOverwrite = (path: string) => Promise<boolean>;

/** Saves an export where the user says (see the module's doc). */
export interface IExportSaver {
  /** The folder the user keeps for exports, or null. */
  readonly folder: string | null;
  /** Ask, then save; the saved file, or null when the user cancelled. */
  save(request: IExportRequest): Promise<Contents.IModel | null>;
}

/** The token of the export saver (optional: without it exports go beside the baseline). */
export const IExportSaver = new Token<IExportSaver>(
  'jupyterlab-nbcompare:IExportSaver',
  'Asks where an export of a comparison goes and never overwrites without asking.'
);

/** Options of an {@link ExportSaver}. */
export interface IExportSaverOptions {
  contents: Contents.IManager;
  ask: AskPath;
  confirmOverwrite: ConfirmOverwrite;
  /** Where the kept folder is remembered across reloads. */
  state?: IStateDB | null;
}

/** The export saver of the application. */
export class ExportSaver implements IExportSaver {
  constructor(options: IExportSaverOptions) {
    this._options = options;
    this.restored = this._restore();
  }

  /** Resolves once the kept folder was read (never rejects). */
  readonly restored: Promise<void>;

  get folder(): string | null {
    return this._folder;
  }

  async save(request: IExportRequest): Promise<Contents.IModel | null> {
    const { contents, ask, confirmOverwrite } = this._options;
    let suggestion = await freeName(
      contents,
      request.folder,
      request.stem,
      request.extension
    );
    let problem: 'invalid' | 'exists' | null = null;
    for (;;) {
      const answer = await ask({
        suggestion,
        label: request.label,
        offerRemember: request.offerRemember,
        problem
      });
      if (!answer) {
        return null;
      }
      const path = normalizePath(answer.path);
      if (!path) {
        suggestion = answer.path;
        problem = 'invalid';
        continue;
      }
      problem = null;
      const folder = folderOf(path);
      const model = await request.content(folder);
      let saved = await saveNew(contents, path, model);
      if (!saved) {
        if (!(await confirmOverwrite(path))) {
          suggestion = path;
          problem = 'exists';
          continue;
        }
        // The user said so: this one save replaces what is there.
        saved = await contents.save(path, model);
      }
      if (answer.remember && request.offerRemember) {
        await this._keep(folder);
      }
      return saved;
    }
  }

  private async _keep(folder: string): Promise<void> {
    this._folder = folder;
    await this._options.state?.save(EXPORT_FOLDER_KEY, folder);
  }

  private async _restore(): Promise<void> {
    try {
      const value = await this._options.state?.fetch(EXPORT_FOLDER_KEY);
      if (typeof value === 'string' && this._folder === null) {
        this._folder = value;
      }
    } catch {
      // No state database, or nothing stored: no kept folder.
    }
  }

  private _options: IExportSaverOptions;
  private _folder: string | null = null;
}

/**
 * A path the user typed, as an API path: no leading or doubled `/`, no `.`
 * segments; null for a path that names no file (empty, a folder, `..`).
 */
export function normalizePath(typed: string): string | null {
  const parts = typed
    .trim()
    .split('/')
    .filter(part => part !== '' && part !== '.');
  if (
    parts.length === 0 ||
    typed.trim().endsWith('/') ||
    parts.some(part => part === '..')
  ) {
    return null;
  }
  return parts.join('/');
}
