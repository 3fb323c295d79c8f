import { expect, test } from '@jupyterlab/galata';

import { createJobViaApi, jobRow, openSidebar, SLOW_NOTEBOOK, upload } from './helpers';
import { stopLeftoverJobs } from './cleanup';

test.afterEach(async ({ page }) => stopLeftoverJobs(page));

test('select several jobs: bulk stop, status filter, bulk delete', async ({ page, tmpPath }) => {
  await upload(page, tmpPath, 'slow.ipynb', SLOW_NOTEBOOK);
  for (const name of ['bulk one', 'bulk two']) {
    await createJobViaApi(page, { input_path: `${tmpPath}/slow.ipynb`, name });
  }
  await openSidebar(page);
  const sidebar = page.locator('#jp-nbjobs-sidebar');
  await sidebar.locator('.jp-NbJobs-nameFilter').fill('bulk');
  await expect(sidebar.locator('.jp-NbJobs-row')).toHaveCount(2);
  for (const name of ['bulk one', 'bulk two']) {
    await expect(jobRow(page, name)).toHaveAttribute('data-status', /queued|running/);
  }

  // Select both with the keyboard-reachable checkboxes and stop them together.
  await sidebar.getByRole('checkbox', { name: 'Select all' }).check();
  await expect(sidebar.locator('.jp-NbJobs-bulk')).toContainText('2 selected');
  await sidebar.locator('.jp-NbJobs-bulk').getByRole('button', { name: 'Stop' }).click();
  for (const name of ['bulk one', 'bulk two']) {
    await expect(jobRow(page, name)).toHaveAttribute('data-status', 'stopped', { timeout: 60000 });
  }

  // The status filter goes to the server and keeps only matching rows.
  await sidebar.getByRole('combobox', { name: 'Filter by status' }).selectOption('completed');
  await expect(sidebar.locator('.jp-NbJobs-row')).toHaveCount(0);
  await sidebar.getByRole('combobox', { name: 'Filter by status' }).selectOption('stopped');
  await expect(sidebar.locator('.jp-NbJobs-row')).toHaveCount(2);

  await sidebar.getByRole('checkbox', { name: 'Select all' }).check();
  await sidebar.locator('.jp-NbJobs-bulk').getByRole('button', { name: 'Delete' }).click();
  await page.locator('.jp-Dialog').getByRole('button', { name: 'Delete' }).click();
  await expect(sidebar.locator('.jp-NbJobs-row')).toHaveCount(0);
  const left = await (await page.request.get('/nbjobs/jobs?name=bulk')).json();
  expect(left.jobs).toHaveLength(0);
});
