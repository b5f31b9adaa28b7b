/**
 * Entry point: wiring only. Each plugin lives in `plugins/`.
 */
import { comparePlugin } from './plugins/compare';
import { exportsPlugin } from './plugins/exports';
import {
  notebookFolderPlugin,
  notebookOpenerPlugin,
  notebookPagePlugin
} from './plugins/notebook';
import { pinPlugin } from './plugins/pin';
import { tagBrowserPlugin } from './plugins/tagbrowser';
import { viewsPlugin } from './plugins/views';

export default [
  comparePlugin,
  exportsPlugin,
  viewsPlugin,
  pinPlugin,
  tagBrowserPlugin,
  notebookOpenerPlugin,
  notebookPagePlugin,
  notebookFolderPlugin
];
