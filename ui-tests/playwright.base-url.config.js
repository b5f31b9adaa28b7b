/**
 * The UI tests under a URL prefix, as JupyterHub serves a user's server:
 * JupyterLab on port 8889 with `--ServerApp.base_url=/user/alice/`, same Debian
 * Chromium as playwright.config.js. Run with `jlpm test:base-url`.
 */
const labConfig = require('./playwright.config');

module.exports = {
  ...labConfig,
  testDir: 'base-url',
  testIgnore: [],
  reporter: [
    ['list'],
    ['html', { open: 'never', outputFolder: 'playwright-report-base-url' }]
  ],
  outputDir: 'test-results-base-url',
  use: {
    ...labConfig.use,
    // galata joins baseURL and its appPath ('/lab'), and its REST helpers
    // build their URLs from baseURL too
    baseURL: 'http://localhost:8889/user/alice'
  },
  webServer: {
    ...labConfig.webServer,
    command: 'jlpm start:base-url',
    url: 'http://localhost:8889/user/alice/lab'
  }
};
