/**
 * The browser benchmarks run with galata from ui-tests/ (its node_modules),
 * against a JupyterLab whose root is the benchmark corpus
 * (NBCOMPARE_UI_CORPUS, default benchmarks/results/ui-corpus). See README.md.
 *
 * The port is ui-tests/playwright.config.js's: NBCOMPARE_UI_PORT (default
 * galata's 8888) sets both the server's `--port` and the page's `baseURL`, so
 * a benchmark can run beside a galata run of another checkout.
 */
const path = require('path');

const uiTests = path.resolve(__dirname, '..', '..', 'ui-tests');
const base = require(path.join(uiTests, 'playwright.config.js'));
const port = process.env.NBCOMPARE_UI_PORT || '8888';
if (!base.use.baseURL.endsWith(`:${port}`)) {
  throw new Error(
    `ui-tests/playwright.config.js does not follow NBCOMPARE_UI_PORT (${base.use.baseURL})`
  );
}
const corpus =
  process.env.NBCOMPARE_UI_CORPUS ||
  path.resolve(__dirname, '..', 'results', 'ui-corpus');

module.exports = {
  ...base,
  testDir: __dirname,
  testMatch: /.*\.bench\.ts$/,
  timeout: 600000,
  reporter: [['list']],
  webServer: {
    ...base.webServer,
    cwd: uiTests,
    env: { ...process.env, JUPYTERLAB_GALATA_ROOT_DIR: corpus },
    // A server of another run would have another root: never reuse one.
    reuseExistingServer: false
  }
};
