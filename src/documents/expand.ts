/**
 * Opening a view: the server validates the file's text with the view schema
 * and expands its patterns (`POST nbcompare/view/expand`); the adapter then
 * reads the panel's state from it.
 */
import { APIError, requestAPI } from '../request';
import {
  IViewFile,
  IViewState,
  parseViewText,
  readState,
  ViewError,
  viewFolder
} from './adapter';

/** `POST nbcompare/view/expand` request. */
export interface IViewExpandRequest {
  /** The view file's API path (its folder is where the view's paths start). */
  path: string;
  /** The file's text, as the document holds it. */
  view: string;
}

/** `POST nbcompare/view/expand` answer. */
export interface IViewExpandResponse {
  /** API paths in column order, each pattern's matches sorted by path. */
  notebooks: string[];
  /** The view's baseline as an API path, or null. */
  baseline: string | null;
  /** Why a pattern's walk was cut, or null. */
  truncated: string | null;
}

/** Asks the server to expand a view (a test passes its own). */
export type ViewExpander = (
  request: IViewExpandRequest
) => Promise<IViewExpandResponse>;

/** The default expander: `POST nbcompare/view/expand` through `request.ts`. */
export const expandOnServer: ViewExpander = request =>
  requestAPI<IViewExpandResponse>('view/expand', {
    method: 'POST',
    body: JSON.stringify(request)
  });

/** A view ready for a panel. */
export interface IOpenedView {
  /** The text it was read from. */
  text: string;
  /** The file's JSON, every field kept. */
  view: IViewFile;
  /** The state it means. */
  state: IViewState;
  /** The notebooks it names now, in column order. */
  paths: string[];
  /** Why a pattern's walk was cut, or null. */
  truncated: string | null;
  /** The folder its paths start from. */
  folder: string;
}

/**
 * Open the view in `text`, saved at `path`. Throws {@link ViewError} naming
 * the field when the server finds the view invalid (its 400 carries the
 * field), and any other error as it came (server unreachable, 404).
 */
export async function openView(
  text: string,
  path: string,
  expand: ViewExpander = expandOnServer
): Promise<IOpenedView> {
  let answer: IViewExpandResponse;
  try {
    answer = await expand({ path, view: text });
  } catch (reason) {
    throw asViewError(reason) ?? reason;
  }
  const view = parseViewText(text);
  const folder = viewFolder(path);
  const state = readState(view, { folder, baseline: answer.baseline });
  return {
    text,
    view,
    state,
    paths: answer.notebooks,
    truncated: answer.truncated,
    folder
  };
}

/**
 * The {@link ViewError} of a server refusal that names a field (400, 413),
 * read from the JSON body `request.ts` kept on the error; null otherwise.
 */
function asViewError(reason: unknown): ViewError | null {
  if (!(reason instanceof APIError)) {
    return null;
  }
  const status = reason.response.status;
  if (status !== 400 && status !== 413) {
    return null;
  }
  const field = (reason.body as { field?: unknown } | null)?.field;
  if (typeof field !== 'string') {
    return null;
  }
  const message = reason.message;
  const prefix = field ? `${field}: ` : '';
  return new ViewError(
    field,
    message.startsWith(prefix) ? message.slice(prefix.length) : message
  );
}
