/**
 * Entry point: wiring only. Each plugin lives in `plugins/`.
 */
import { comparePlugin } from './plugins/compare';
import {
  notebookFolderPlugin,
  notebookOpenerPlugin,
  notebookPagePlugin
} from './plugins/notebook';
import { pinPlugin } from './plugins/pin';
import { tagBrowserPlugin } from './plugins/tagbrowser';

export default [
  comparePlugin,
  pinPlugin,
  tagBrowserPlugin,
  notebookOpenerPlugin,
  notebookPagePlugin,
  notebookFolderPlugin
];
