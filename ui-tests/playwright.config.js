/**
 * Galata configuration: Debian's Chromium (Playwright cannot download browsers here),
 * a real JupyterLab started from jupyter_server_test_config.py.
 */
const baseConfig = require('@jupyterlab/galata/lib/playwright-config');

// NBJOBS_GALATA_PORT lets two runs (say, a developer's and a fresh clone's) coexist.
const PORT = process.env.NBJOBS_GALATA_PORT || '18888';

const CHROMIUM_FLAGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-dev-shm-usage',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic'
];

module.exports = {
  ...baseConfig,
  workers: 1,
  retries: 0,
  timeout: 120000,
  // The first page of a cold server and browser can take longer than Playwright's 5 s.
  expect: { timeout: 15000 },
  reporter: [['list'], ['html', { open: 'never' }]],
  use: {
    ...baseConfig.use,
    baseURL: `http://127.0.0.1:${PORT}`,
    video: 'off',
    trace: 'retain-on-failure',
    launchOptions: {
      executablePath: process.env.NBJOBS_CHROMIUM || '/usr/bin/chromium',
      args: CHROMIUM_FLAGS
    }
  },
  webServer: {
    command: 'jlpm start',
    url: `http://127.0.0.1:${PORT}/lab`,
    timeout: 120 * 1000,
    reuseExistingServer: !process.env.CI
  }
};
