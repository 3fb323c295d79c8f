import { expect, test } from '@jupyterlab/galata';

import {
  audit,
  createJobViaApi,
  jobRow,
  OK_NOTEBOOK,
  openSidebar,
  RECORDING_NOTEBOOK,
  shoot,
  upload
} from './helpers';
import { stopLeftoverJobs } from './cleanup';

test.afterEach(async ({ page }) => stopLeftoverJobs(page));

// The light-theme screenshots come from jobs.spec.ts; this one takes the dark ones.
test('dark theme: the form, the sidebar and a job detail', async ({ page, tmpPath }, testInfo) => {
  await page.theme.setDarkTheme();
  await upload(page, tmpPath, 'ok.ipynb', OK_NOTEBOOK);
  await createJobViaApi(page, {
    input_path: `${tmpPath}/ok.ipynb`,
    name: 'dark theme job',
    parameters: { n: 5, label: 'dark' }
  });
  // A small sweep beside it, for the grouped list and the comparison in dark.
  await upload(page, tmpPath, 'rec.ipynb', RECORDING_NOTEBOOK);
  const sweep = await page.request.post('/nbjobs/sweeps', {
    data: { input_path: `${tmpPath}/rec.ipynb`, name: 'dark sweep', grid: { n: [1, 2] } }
  });
  expect(sweep.status()).toBe(201);
  await openSidebar(page);
  const row = jobRow(page, 'dark theme job');
  await expect(row).toHaveAttribute('data-status', 'completed', { timeout: 90000 });
  const group = page.locator('.jp-NbJobs-sweepGroup', { hasText: 'dark sweep' });
  await group.locator('.jp-NbJobs-sweepToggle').click();
  for (const n of [1, 2]) {
    await expect(jobRow(page, `n=${n}`)).toHaveAttribute('data-status', 'completed', {
      timeout: 90000
    });
  }
  await shoot(page, testInfo, 'sidebar', page.locator('#jp-nbjobs-sidebar'));
  await shoot(page, testInfo, 'sidebar-sweep', page.locator('#jp-nbjobs-sidebar'));
  await audit(page, '#jp-nbjobs-sidebar', testInfo);
  await row.locator('[data-action="menu"]').click();
  await expect(page.locator('.jp-NbJobs-jobMenu')).toBeVisible();
  await shoot(page, testInfo, 'row-menu');
  await page.keyboard.press('Escape');
  await group.getByRole('button', { name: 'Compare' }).click();
  await expect(page.locator('.jp-NbJobs-comparisonTable tbody tr')).toHaveCount(2);
  await shoot(page, testInfo, 'comparison');
  await audit(page, '.jp-NbJobs-comparison', testInfo);

  await row.locator('.jp-NbJobs-rowName').click();
  await expect(page.locator('.jp-NbJobs-detail')).toHaveAttribute('data-status', 'completed');
  await expect(page.locator('.jp-NbJobs-log')).toHaveAttribute('data-complete', 'true');
  await shoot(page, testInfo, 'job-detail');

  await page.evaluate(
    async path => {
      await window.jupyterapp.commands.execute('nbjobs:create-job', { path });
    },
    `${tmpPath}/ok.ipynb`
  );
  await expect(page.locator('.jp-NbJobs-form #nbjobs-param-n')).toHaveValue('3');
  await shoot(page, testInfo, 'create-form');

  // The text is light on dark: the theme's variables reach our components.
  const color = await page
    .locator('.jp-NbJobs-form h2')
    .evaluate(el => getComputedStyle(el).color);
  const [r, g, b] = color.match(/\d+/g)!.map(Number);
  expect(r + g + b).toBeGreaterThan(450);
  await page.theme.setLightTheme();
});
