/**
 * Entry point: wiring only. Each plugin lives in `plugins/`.
 */
import { comparePlugin } from './plugins/compare';

export default [comparePlugin];
