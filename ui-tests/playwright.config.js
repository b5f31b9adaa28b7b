/**
 * Galata in Debian's Chromium: Playwright cannot download browsers here.
 */
const { execSync } = require('child_process');
const baseConfig = require('@jupyterlab/galata/lib/playwright-config');

function chromiumPath() {
  if (process.env.CHROMIUM_PATH) {
    return process.env.CHROMIUM_PATH;
  }
  try {
    return execSync('command -v chromium', { shell: '/bin/bash' })
      .toString()
      .trim();
  } catch {
    throw new Error(
      "Debian's chromium is missing: apt-get install -y chromium (make test does it)."
    );
  }
}

// NBCOMPARE_UI_PORT runs a second copy of the suite beside the first (two
// checkouts on one machine); CI and `make test` use galata's default, 8888.
const port = process.env.NBCOMPARE_UI_PORT || '8888';

module.exports = {
  ...baseConfig,
  // Notebook 7's and the URL prefix's tests have their own server and config.
  testIgnore: ['notebook7/**', 'base-url/**'],
  timeout: 120000,
  expect: { timeout: 20000 },
  retries: process.env.CI ? 1 : 0,
  workers: 1,
  reporter: [['list'], ['html', { open: 'never' }]],
  use: {
    ...baseConfig.use,
    baseURL: `http://localhost:${port}`,
    video: 'off',
    // A flake seen once in CI must leave something to read: a screenshot of
    // the failing page costs nothing when tests pass (traces and videos slow
    // every test down on a loaded 2-core runner, so they stay off).
    screenshot: 'only-on-failure',
    trace: 'off',
    launchOptions: {
      executablePath: chromiumPath(),
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run'
      ]
    }
  },
  webServer: {
    command: `jlpm start --port=${port}`,
    url: `http://localhost:${port}/lab`,
    timeout: 180 * 1000,
    reuseExistingServer: !process.env.CI,
    // Jupyter logs to stderr; jupyter_server_test_config.py keeps it to
    // warnings and errors, so server tracebacks stay visible in the output.
    stdout: 'ignore',
    stderr: 'pipe'
  }
};
