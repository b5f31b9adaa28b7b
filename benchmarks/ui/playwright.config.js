/**
 * The browser benchmark runs with galata from ui-tests/ (its node_modules),
 * against a JupyterLab whose root is the benchmark corpus. See README.md.
 */
const path = require('path');

const uiTests = path.resolve(__dirname, '..', '..', 'ui-tests');
const base = require(path.join(uiTests, 'playwright.config.js'));
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
