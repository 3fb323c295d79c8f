import { expect, test } from '@jupyterlab/galata';

import {
  audit,
  jobRow,
  OK_NOTEBOOK,
  openSidebar,
  RECORDING_NOTEBOOK,
  shoot,
  upload
} from './helpers';
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

test('schedule: create, pause, resume, run now, edit, delete', async ({
  page,
  tmpPath
}, testInfo) => {
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

  // Edit with the create form's fields: typed parameters, the zone and kernel selects.
  await detail.getByRole('button', { name: 'Edit' }).click();
  const edit = detail.locator('.jp-NbJobs-scheduleEdit');
  await expect(edit.locator('#nbjobs-param-n')).toHaveValue('3');
  await expect(edit.locator('#nbjobs-edit-timezone')).toHaveValue('Asia/Tokyo');
  await expect(edit.locator('#nbjobs-edit-preset')).toHaveValue('weekdays');
  // The kernel by its display name, not its id.
  await expect(edit.locator('#nbjobs-edit-kernel_name option:checked')).toHaveText(
    /Python 3 \(/
  );
  // Every mistake of a save at once.
  await edit.locator('#nbjobs-param-n').fill('');
  await edit.locator('#nbjobs-edit-timeout').fill('-1');
  await edit.getByRole('button', { name: 'Save' }).click();
  await expect(edit.locator('.jp-NbJobs-fieldError')).toHaveCount(2);
  await shoot(page, testInfo, 'schedule-edit');
  await audit(page, '.jp-NbJobs-detail', testInfo);
  await edit.locator('#nbjobs-param-n').fill('4');
  await edit.locator('#nbjobs-edit-timeout').fill('');
  await edit.locator('#nbjobs-edit-name').fill('nightly e2e renamed');
  await edit.getByRole('button', { name: 'Save' }).click();
  await expect(detail.locator('h2')).toHaveText('nightly e2e renamed');
  const saved = await (await page.request.get('/nbjobs/schedules')).json();
  expect(saved.schedules.find((x: any) => x.name === 'nightly e2e renamed').parameters).toEqual(
    expect.objectContaining({ n: 4 })
  );

  // Run now with settings: the create-job form, prefilled with the schedule's settings.
  await detail.getByRole('button', { name: 'Run now with settings…' }).click();
  const runForm = page.locator('.jp-NbJobs-form:visible');
  await expect(runForm.locator('h2')).toHaveText('Run "nightly e2e renamed" now');
  await expect(runForm.locator('#nbjobs-param-n')).toHaveValue('4');
  await expect(runForm.locator('#nbjobs-input_path')).toHaveAttribute('readonly', '');
  await runForm.locator('#nbjobs-param-n').fill('9');
  await runForm.getByRole('button', { name: 'Run now' }).click();
  await expect(runForm).toHaveCount(0);
  await expect
    .poll(async () => {
      const runs = await (
        await page.request.get(`/nbjobs/jobs?schedule_id=${saved.schedules.find((x: any) => x.name === 'nightly e2e renamed').id}`)
      ).json();
      return runs.jobs.map((j: any) => j.parameters.n);
    })
    .toContain(9);

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

test("schedule edit: every error of a save at once, each at its field", async ({
  page,
  tmpPath
}, testInfo) => {
  await upload(page, tmpPath, 'ok.ipynb', OK_NOTEBOOK);
  const created = await page.request.post('/nbjobs/schedules', {
    data: { input_path: `${tmpPath}/ok.ipynb`, name: 'errors e2e', cron: 'daily at 7:30' }
  });
  expect(created.status(), await created.text()).toBe(201);
  const schedule = await created.json();
  await page.evaluate(async (id: string) => {
    await window.jupyterapp.commands.execute('nbjobs:open-schedule', { id });
  }, schedule.id);
  const detail = page.locator(`.jp-NbJobs-detail[data-schedule-id="${schedule.id}"]`);
  await detail.getByRole('button', { name: 'Edit' }).click();
  const edit = detail.locator('.jp-NbJobs-scheduleEdit');
  await expect(edit.locator('#nbjobs-param-n')).toHaveValue('3');
  // Three mistakes only the server checks: one Save shows all three.
  await edit.locator('#nbjobs-edit-name').fill('x'.repeat(201));
  await edit.locator('#nbjobs-edit-retries').fill('99');
  await edit.locator('#nbjobs-edit-catchup_limit').fill('-3');
  const answer = page.waitForResponse(
    r => r.url().includes(`/nbjobs/schedules/${schedule.id}`) && r.request().method() === 'PATCH'
  );
  await edit.getByRole('button', { name: 'Save' }).click();
  const body = await (await answer).json();
  expect(body.errors.map((e: any) => e.field).sort()).toEqual(
    ['catchup_limit', 'max_retries', 'name']
  );
  await expect(edit.locator('[data-field="edit-name"] .jp-NbJobs-fieldError')).toContainText(
    '200 characters'
  );
  await expect(edit.locator('[data-field="edit-retries"] .jp-NbJobs-fieldError')).toContainText(
    '30'
  );
  await expect(
    edit.locator('[data-field="edit-catchup_limit"] .jp-NbJobs-fieldError')
  ).toBeVisible();
  await expect(edit.locator('.jp-NbJobs-fieldError')).toHaveCount(3);
  // A tall window, so that the screenshots show the three errors together.
  const size = page.viewportSize();
  await page.setViewportSize({ width: 1024, height: 1500 });
  await edit.locator('[data-field="edit-name"]').scrollIntoViewIfNeeded();
  await shoot(page, testInfo, 'schedule-edit-errors');
  await page.theme.setDarkTheme();
  await shoot(page, testInfo, 'schedule-edit-errors');
  await page.theme.setLightTheme();
  if (size) {
    await page.setViewportSize(size);
  }
  // Nothing of the refused save was kept.
  const same = await (await page.request.get(`/nbjobs/schedules/${schedule.id}`)).json();
  expect(same.name).toBe('errors e2e');
});

test('a sweep of 3 runs: grouped, one notification, compared', async ({
  page,
  tmpPath
}, testInfo) => {
  await upload(page, tmpPath, 'rec.ipynb', RECORDING_NOTEBOOK);
  const form = await openForm(page, `${tmpPath}/rec.ipynb`);
  await form.getByRole('radio', { name: 'Parameter sweep' }).check();
  await form.locator('#nbjobs-name').fill('sweep e2e');
  // An empty sweep says what to do, and offers no "Run 0 jobs".
  await expect(form.locator('.jp-NbJobs-sweepCount')).toContainText('several values');
  await expect(form.getByRole('button', { name: 'Run sweep' })).toBeDisabled();
  await form.locator('#nbjobs-param-n').fill('1\n2\n3');
  await expect(form.locator('.jp-NbJobs-sweepCount')).toHaveText('This sweep makes 3 runs.');
  await form.getByRole('button', { name: 'Run 3 jobs' }).click();

  await openSidebar(page);
  // The sweep's runs are one collapsible group; each run is named by its values.
  const group = page.locator('#jp-nbjobs-sidebar .jp-NbJobs-sweepGroup', {
    hasText: 'sweep e2e'
  });
  await expect(group.locator('.jp-NbJobs-sweepSummary')).toContainText('3 runs');
  await group.locator('.jp-NbJobs-sweepToggle').click();
  await expect(group.locator('.jp-NbJobs-sweepToggle')).toHaveAttribute('aria-expanded', 'true');
  for (const n of [1, 2, 3]) {
    await expect(jobRow(page, `n=${n}`)).toHaveAttribute('data-status', 'completed', {
      timeout: 120000
    });
  }
  // One notification for the whole sweep, updated to its end (not one toast per run).
  const notice = page.locator('.Toastify__toast', { hasText: 'Sweep "sweep e2e"' });
  await expect(notice).toHaveCount(1);
  await expect(notice).toContainText('3 of 3 runs done');
  await expect(page.locator('.Toastify__toast', { hasText: 'sweep e2e [' })).toHaveCount(0);
  await shoot(page, testInfo, 'sidebar-sweep', page.locator('#jp-nbjobs-sidebar'));
  await audit(page, '#jp-nbjobs-sidebar', testInfo);

  // Compare: runs x parameters x status x duration x the values each recorded, sortable.
  await group.getByRole('button', { name: 'Compare' }).click();
  const table = page.locator('.jp-NbJobs-comparisonTable');
  await expect(table.locator('tbody tr')).toHaveCount(3);
  await expect(table.locator('thead')).toContainText('double');
  await table.locator('[data-sort="value:double"]').click();
  await table.locator('[data-sort="value:double"]').click();
  await expect(table.locator('th[aria-sort="descending"]')).toContainText('double');
  await expect(table.locator('tbody td[data-value="double"]')).toHaveText(['6', '4', '2']);
  await expect(table.locator('tbody td[data-value="label"]').first()).toHaveText('run 3');
  await shoot(page, testInfo, 'comparison');
  await audit(page, '.jp-NbJobs-comparison', testInfo);
  // Each run's executed notebook is a click away.
  await table.locator('tbody tr').first().getByRole('button', { name: 'View' }).click();
  await expect(page.frameLocator('.jp-NbJobs-view iframe').locator('body')).toContainText(
    'n = 3'
  );
  // Filter by name shows just the sweep's jobs.
  await page.locator('.jp-NbJobs-nameFilter').fill('sweep e2e');
  await expect(page.locator('#jp-nbjobs-sidebar .jp-NbJobs-row')).toHaveCount(3);
});
