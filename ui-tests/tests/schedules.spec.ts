import { expect, test } from '@jupyterlab/galata';

import { jobRow, OK_NOTEBOOK, openSidebar, shoot, upload } from './helpers';
import { stopLeftoverJobs } from './cleanup';

test.afterEach(async ({ page }) => stopLeftoverJobs(page));

async function openForm(page: any, path: string) {
  await page.evaluate(async (p: string) => {
    await window.jupyterapp.commands.execute('nbjobs:create-job', { path: p });
  }, path);
  const form = page.locator('.jp-NbJobs-form');
  await expect(form.locator('#nbjobs-param-n')).toHaveValue('3');
  return form;
}

test('schedule: create, pause, resume, run now, delete', async ({ page, tmpPath }, testInfo) => {
  await upload(page, tmpPath, 'ok.ipynb', OK_NOTEBOOK);
  const form = await openForm(page, `${tmpPath}/ok.ipynb`);
  await form.getByRole('radio', { name: 'On a schedule' }).check();
  await form.locator('#nbjobs-preset').selectOption('weekdays');
  await expect(form.locator('#nbjobs-cron')).toHaveValue('0 9 * * 1-5');
  // The cron in words (cronstrue) and the next fire times from the server.
  await expect(form.locator('[data-field="cron"] .jp-NbJobs-help')).toContainText(
    'Monday through Friday'
  );
  await form.locator('#nbjobs-timezone').selectOption('Asia/Tokyo');
  await expect(form.locator('.jp-NbJobs-nextRuns li')).toHaveCount(5);
  // Next runs in the schedule's zone, named, at the hour the cron says.
  const firstNext = form.locator('.jp-NbJobs-nextRuns li').first();
  await expect(firstNext).toContainText('09:00');
  await expect(firstNext).toContainText('(Asia/Tokyo)');
  const words = await form.locator('[data-field="cron"] .jp-NbJobs-help').textContent();
  await form.locator('#nbjobs-name').fill('nightly e2e');
  await shoot(page, testInfo, 'create-form-schedule');
  await form.getByRole('button', { name: 'Create schedule' }).click();

  // The sidebar switches to the Schedules tab with the new schedule, active.
  const row = page.locator('#jp-nbjobs-sidebar .jp-NbJobs-row', { hasText: 'nightly e2e' });
  await expect(row).toHaveAttribute('data-active', 'true');
  // One describer: the sidebar says what the form said.
  await expect(row).toContainText(words!);
  await expect(row.locator('.jp-NbJobs-nextFire')).toContainText('(Asia/Tokyo)');

  await row.locator('[data-action="pause"]').click();
  await expect(row).toHaveAttribute('data-active', 'false');
  await expect(row).toContainText('Paused');
  await row.locator('[data-action="resume"]').click();
  await expect(row).toHaveAttribute('data-active', 'true');

  // Run now makes a real job of this schedule, which completes.
  await row.locator('[data-action="run"]').click();
  await row.locator('[data-action="details"]').click();
  const detail = page.locator('.jp-NbJobs-detail[data-schedule-id]');
  await expect(detail).toContainText('Asia/Tokyo');
  await expect(detail.locator('.jp-NbJobs-nextRuns li')).toHaveCount(5);
  await expect(detail.locator('.jp-NbJobs-nextRuns li').first()).toContainText(
    '09:00'
  );
  await expect(detail).toContainText(words!);
  // Policies and the kernel as people read them, not their raw values.
  await expect(detail).toContainText('Skip this run');
  await expect(detail).not.toContainText('Overlap skip');
  const run = detail.locator('.jp-NbJobs-runs li').first();
  await expect(run.locator('.jp-NbJobs-badge')).toHaveText('Completed', { timeout: 90000 });
  await shoot(page, testInfo, 'schedule-detail');

  // Edit a field: the name changes on the server.
  await detail.getByRole('button', { name: 'Edit' }).click();
  await detail.locator('#nbjobs-edit-name').fill('nightly e2e renamed');
  await detail.getByRole('button', { name: 'Save' }).click();
  await expect(detail.locator('h2')).toHaveText('nightly e2e renamed');

  // Delete from the sidebar.
  await page.evaluate(async () => {
    await window.jupyterapp.commands.execute('nbjobs:open-sidebar', { tab: 'schedules' });
  });
  const renamed = page.locator('#jp-nbjobs-sidebar .jp-NbJobs-row', {
    hasText: 'nightly e2e renamed'
  });
  await renamed.locator('[data-action="delete"]').click();
  await page.locator('.jp-Dialog').getByRole('button', { name: 'Delete' }).click();
  await expect(renamed).toHaveCount(0);
  const list = await (await page.request.get('/nbjobs/schedules')).json();
  expect(list.schedules.map((s: any) => s.name)).not.toContain('nightly e2e renamed');
});

test('a sweep of 3 runs', async ({ page, tmpPath }) => {
  await upload(page, tmpPath, 'ok.ipynb', OK_NOTEBOOK);
  const form = await openForm(page, `${tmpPath}/ok.ipynb`);
  await form.getByRole('radio', { name: 'Parameter sweep' }).check();
  await form.locator('#nbjobs-name').fill('sweep e2e');
  await form.locator('#nbjobs-param-n').fill('1\n2\n3');
  await expect(form.locator('.jp-NbJobs-sweepCount')).toHaveText('This sweep makes 3 runs.');
  await form.getByRole('button', { name: 'Run 3 jobs' }).click();

  await openSidebar(page);
  for (const n of [1, 2, 3]) {
    const row = jobRow(page, `sweep e2e [n=${n}]`);
    await expect(row).toHaveAttribute('data-status', 'completed', { timeout: 120000 });
  }
  // Filter by name shows just the sweep's jobs.
  await page.locator('.jp-NbJobs-nameFilter').fill('sweep e2e');
  await expect(page.locator('#jp-nbjobs-sidebar .jp-NbJobs-row')).toHaveCount(3);
});
