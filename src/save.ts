/**
 * Saving a new file beside the user's notebooks, never over one.
 */

import { Contents } from '@jupyterlab/services';

/** How many `stem-N` names are tried before giving up. */
const MAX_TRIES = 1000;

/** The HTTP status of a failed contents request, if it has one. */
function statusOf(reason: unknown): number | undefined {
  return (reason as { response?: { status?: number } })?.response?.status;
}

/**
 * Save `model` as a new file `folder/stem.ext`, or `stem-1.ext`, `stem-2.ext`
 * ... whichever is free, and answer the saved file's model.
 *
 * Why not "look for a free name, then save": a file created between the look
 * and the save would be overwritten. Here the server creates a file under a
 * name of its own choosing (`newUntitled`), the content is written into that
 * file, and it is renamed to the first free name: the server refuses to
 * rename onto an existing file (409), so nothing that exists is ever
 * replaced. If anything fails, the temporary file is removed.
 */
export async function saveAsNew(
  contents: Contents.IManager,
  folder: string,
  stem: string,
  extension: string,
  model: Partial<Contents.IModel>
): Promise<Contents.IModel> {
  const created = await contents.newUntitled({
    path: folder,
    type: model.type === 'notebook' ? 'notebook' : 'file',
    ext: `.${extension}`
  });
  try {
    await contents.save(created.path, model);
    for (let n = 0; n < MAX_TRIES; n++) {
      const name =
        n === 0 ? `${stem}.${extension}` : `${stem}-${n}.${extension}`;
      try {
        return await contents.rename(
          created.path,
          folder ? `${folder}/${name}` : name
        );
      } catch (reason) {
        if (statusOf(reason) !== 409) {
          throw reason;
        }
      }
    }
    throw new Error(
      `No free name for ${stem}.${extension} in ${folder || '/'}.`
    );
  } catch (reason) {
    await contents.delete(created.path).catch(() => undefined);
    throw reason;
  }
}

/**
 * Write `model` as the new file `path`, or answer null when a file is there.
 *
 * The same guarantee as {@link saveAsNew}, for a name the user chose: the
 * content goes into a file the server names (`newUntitled`), which is then
 * renamed to `path`, and the server refuses to rename onto an existing file
 * (409). So there is no "check, then save" window in which a file created
 * meanwhile would be replaced; the temporary file is removed whatever
 * happens. Missing folders of `path` are created first.
 */
export async function saveNew(
  contents: Contents.IManager,
  path: string,
  model: Partial<Contents.IModel>
): Promise<Contents.IModel | null> {
  const folder = folderOf(path);
  await ensureFolder(contents, folder);
  const extension = extensionOf(path);
  const created = await contents.newUntitled({
    path: folder,
    type: model.type === 'notebook' ? 'notebook' : 'file',
    ext: extension || undefined
  });
  let saved: Contents.IModel | null = null;
  try {
    await contents.save(created.path, model);
    try {
      saved = await contents.rename(created.path, path);
    } catch (reason) {
      if (statusOf(reason) !== 409) {
        throw reason;
      }
    }
  } finally {
    if (!saved) {
      await contents.delete(created.path).catch(() => undefined);
    }
  }
  return saved;
}

/** The folder of an API path ('' for the root). */
export function folderOf(path: string): string {
  const at = path.lastIndexOf('/');
  return at < 0 ? '' : path.slice(0, at);
}

/** The extension of an API path with its dot (`.html`), or ''. */
export function extensionOf(path: string): string {
  const name = path.slice(path.lastIndexOf('/') + 1);
  const at = name.lastIndexOf('.');
  return at <= 0 ? '' : name.slice(at);
}

/** Create `folder` and its missing parents (a folder the user typed). */
export async function ensureFolder(
  contents: Contents.IManager,
  folder: string
): Promise<void> {
  const parts = folder.split('/').filter(part => part !== '');
  for (let n = 1; n <= parts.length; n++) {
    const prefix = parts.slice(0, n).join('/');
    try {
      const found = await contents.get(prefix, { content: false });
      if (found.type !== 'directory') {
        throw new Error(`${prefix} is a file, not a folder.`);
      }
    } catch (reason) {
      if (statusOf(reason) !== 404) {
        throw reason;
      }
      await contents.save(prefix, { type: 'directory' });
    }
  }
}

/**
 * The first of `stem.ext`, `stem-1.ext`, ... not in `folder` now: only a
 * suggestion for the dialog (the save itself never overwrites).
 */
export async function freeName(
  contents: Contents.IManager,
  folder: string,
  stem: string,
  extension: string
): Promise<string> {
  const join = (name: string) => (folder ? `${folder}/${name}` : name);
  let taken = new Set<string>();
  try {
    const listing = await contents.get(folder, { content: true });
    taken = new Set(
      ((listing.content ?? []) as Contents.IModel[]).map(item => item.name)
    );
  } catch {
    // A folder that does not exist yet has every name free.
  }
  for (let n = 0; n < MAX_TRIES; n++) {
    const name = n === 0 ? `${stem}.${extension}` : `${stem}-${n}.${extension}`;
    if (!taken.has(name)) {
      return join(name);
    }
  }
  return join(`${stem}.${extension}`);
}
