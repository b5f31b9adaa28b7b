/**
 * Where a value came from in its notebook: the rule shared by the read-only
 * run view and its tests.
 */
import { ISourceTarget } from './widgets/Grid';

/** The part of a notebook cell model the source lookup reads. */
interface ICellLike {
  type?: string;
  getMetadata?(key: string): unknown;
  toJSON?(): { outputs?: { data?: Record<string, any>; metadata?: any }[] };
}

/**
 * The index of the cell that produced a value: the server's `cell_index`
 * when it gives one, else the last cell tagged with the name (the last one
 * wins, as on the server), or for a scrap the last cell that glued it.
 */
export function findSourceCell(
  cells: ICellLike[],
  target: Pick<ISourceTarget, 'name' | 'origin' | 'cellIndex'>
): number {
  if (
    typeof target.cellIndex === 'number' &&
    target.cellIndex >= 0 &&
    target.cellIndex < cells.length
  ) {
    return target.cellIndex;
  }
  if (!target.name) {
    return -1;
  }
  for (let i = cells.length - 1; i >= 0; i--) {
    const cell = cells[i];
    if (target.origin === 'tag') {
      const tags = cell.getMetadata?.('tags');
      if (
        cell.type === 'code' &&
        Array.isArray(tags) &&
        tags.includes(target.name)
      ) {
        return i;
      }
    } else {
      const outputs = cell.toJSON?.().outputs ?? [];
      for (const output of outputs) {
        const scrapbook = output.metadata?.scrapbook;
        if (scrapbook?.name === target.name) {
          return i;
        }
        for (const [mime, data] of Object.entries(output.data ?? {})) {
          if (
            mime.startsWith('application/scrapbook.scrap.') &&
            data?.name === target.name
          ) {
            return i;
          }
        }
      }
    }
  }
  return -1;
}
