/**
 * The Jupyter Notebook 7 UI tests: `jupyter notebook` on port 8890 (galata's
 * JupyterLab tests own 8888), same Debian Chromium as playwright.config.js.
 * Run with `jlpm test:notebook7` (`jlpm test` runs both suites).
 */
const labConfig = require('./playwright.config');

module.exports = {
  ...labConfig,
  testDir: 'notebook7',
  testIgnore: [],
  reporter: [
    ['list'],
    ['html', { open: 'never', outputFolder: 'playwright-report-notebook7' }]
  ],
  outputDir: 'test-results-notebook7',
  use: {
    ...labConfig.use,
    baseURL: 'http://localhost:8890'
  },
  webServer: {
    ...labConfig.webServer,
    command: 'jlpm start:notebook7',
    url: 'http://localhost:8890/tree'
  }
};
