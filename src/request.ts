import { URLExt } from '@jupyterlab/coreutils';
import { ServerConnection } from '@jupyterlab/services';

/**
 * The one helper that calls the server extension.
 *
 * It adds the base URL, authentication and XSRF header (through
 * `ServerConnection.makeRequest`) and turns the server's `{"message"}` error
 * bodies into exceptions whose message a person can read.
 *
 * @param endPoint path under `nbcompare/`, e.g. `version` or `index?path=runs`
 * @param init the fetch options (method, body)
 */
export async function requestAPI<T>(
  endPoint = '',
  init: RequestInit = {},
  settings: ServerConnection.ISettings = ServerConnection.makeSettings()
): Promise<T> {
  const url = URLExt.join(settings.baseUrl, 'nbcompare', endPoint);
  let response: Response;
  try {
    response = await ServerConnection.makeRequest(url, init, settings);
  } catch (error) {
    throw new ServerConnection.NetworkError(error as TypeError);
  }
  const text = await response.text();
  let data: any = text;
  if (text.length > 0) {
    try {
      data = JSON.parse(text);
    } catch {
      // Not JSON: keep the text for the error message.
    }
  }
  if (!response.ok) {
    const message =
      data && typeof data === 'object' && data.message
        ? data.message
        : `${response.status} ${response.statusText}`;
    throw new APIError(response, message, data);
  }
  return data as T;
}

/**
 * A refusal of the server (4xx/5xx), with its decoded body: beside
 * `message`, an answer may say more (a view's `field`, for one).
 */
export class APIError extends ServerConnection.ResponseError {
  constructor(
    response: Response,
    message: string,
    readonly body: unknown
  ) {
    super(response, message);
  }
}

/** The URL of a server-relative path (e.g. an image `url`), for `<img src>`. */
export function serverURL(
  relative: string,
  settings: ServerConnection.ISettings = ServerConnection.makeSettings()
): string {
  return URLExt.join(settings.baseUrl, relative);
}
