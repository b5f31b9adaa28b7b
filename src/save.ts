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
