import { expect, test } from '@jupyterlab/galata';

import {
  audit,
  createJobViaApi,
  FAILING_NOTEBOOK,
  jobRow,
  notebook,
  OK_NOTEBOOK,
  openSidebar,
  shoot,
  SLOW_NOTEBOOK,
  upload
} from './helpers';
import { stopLeftoverJobs } from './cleanup';

test.afterEach(async ({ page }) => stopLeftoverJobs(page));

/** A job's actions menu, in its fixed order. */
const MENU_ITEMS = [
  'View executed notebook',
  'Open as notebook',
  'Details',
  'View log',
  'Download outputs (zip)',
  'Rerun…',
  'Stop',
  'Open input notebook',
  'Delete…'
];

test.describe('notebook jobs', () => {
  test('right-click -> create -> run now -> Completed -> open the output', async ({
    page,
    tmpPath
  }, testInfo) => {
    await upload(page, tmpPath, 'ok.ipynb', OK_NOTEBOOK);
    await page.filebrowser.openDirectory(tmpPath);
    await page
      .locator('.jp-DirListing-item[data-file-type="notebook"]', { hasText: 'ok.ipynb' })
      .click({ button: 'right' });
    await page.getByRole('menuitem', { name: 'Create Notebook Job' }).click();

    const form = page.locator('.jp-NbJobs-form');
    await expect(form).toBeVisible();
    // Parameters come prefilled from the notebook's parameters cell, with their types.
    const n = form.locator('#nbjobs-param-n');
    await expect(n).toHaveValue('3');
    await expect(form.locator('#nbjobs-param-label')).toHaveValue('hello');
    await n.fill('21');
    await form.locator('#nbjobs-name').fill('ok job e2e');
    await form.locator('input[value="html"]').check();
    // The useful formats first; the rest behind "More formats".
    const formats = form.locator('[data-field="output_formats"]');
    await expect(formats.getByText('AsciiDoc')).toBeHidden();
    await expect(formats.getByText(/^Script/)).toHaveCount(1);
    await shoot(page, testInfo, 'create-form');
    await audit(page, '.jp-NbJobs-form', testInfo);
    await formats.getByText('More formats').click();
    await expect(formats.getByText('AsciiDoc')).toBeVisible();
    await form.getByRole('button', { name: 'Run now' }).click();

    // The sidebar opens and the job reaches Completed by itself (polling, no reload).
    await expect(page.locator('#jp-nbjobs-sidebar')).toBeVisible();
    const row = jobRow(page, 'ok job e2e');
    await expect(row).toBeVisible();
    await expect(row).toHaveAttribute('data-status', 'completed', { timeout: 90000 });
    await expect(row.locator('.jp-NbJobs-badge')).toHaveText('Completed');
    await shoot(page, testInfo, 'sidebar', page.locator('#jp-nbjobs-sidebar'));

    // Details: parameters as sent (typed), outputs listed, log read.
    await row.locator('.jp-NbJobs-rowName').click();
    const detail = page.locator('.jp-NbJobs-detail');
    await expect(detail).toHaveAttribute('data-status', 'completed');
    await expect(detail.locator('.jp-NbJobs-params')).toContainText('21');
    await expect(detail.locator('.jp-NbJobs-outputs')).toContainText('.html');
    await shoot(page, testInfo, 'job-detail');

    // The row's actions are one labelled menu ("…" or right-click), in a fixed order.
    await row.locator('[data-action="menu"]').click();
    const menu = page.locator('.jp-NbJobs-jobMenu');
    await expect(menu.getByRole('menuitem')).toHaveText(MENU_ITEMS);
    await shoot(page, testInfo, 'row-menu');
    // "Download outputs" gives one archive.
    const download = page.waitForEvent('download');
    await menu.getByRole('menuitem', { name: 'Download outputs (zip)' }).click();
    expect((await download).suggestedFilename()).toMatch(/\.zip$/);

    // Open the executed notebook from the row: it opens as a notebook and shows 42.
    await row.click({ button: 'right' });
    await menu.getByRole('menuitem', { name: 'Open as notebook' }).click();
    const output = page.locator('.jp-NotebookPanel:visible');
    await expect(output.locator('.jp-OutputArea-output').first()).toContainText('hello 42', {
      timeout: 30000
    });
    // Told apart from the input's tab by the jobs icon (its tooltip has the outputs path).
    const tab = page.locator('.lm-DockPanel-tabBar .lm-TabBar-tab.lm-mod-current');
    await expect(tab).toContainText('ok');
    await expect(tab.locator('svg[data-icon="jupyterlab-nbjobs:jobs"]')).toHaveCount(1);
    await expect(tab).toHaveAttribute('title', /nbjobs-outputs\//);
  });

  test('a failing notebook shows its error cell and traceback', async ({ page, tmpPath }, testInfo) => {
    await upload(page, tmpPath, 'fail.ipynb', FAILING_NOTEBOOK);
    await openSidebar(page);
    await page.evaluate(
      async path => {
      await window.jupyterapp.commands.execute('nbjobs:create-job', { path });
    },
      `${tmpPath}/fail.ipynb`
    );
    const form = page.locator('.jp-NbJobs-form');
    await expect(form.locator('#nbjobs-param-x')).toHaveValue('1');
    await form.locator('#nbjobs-name').fill('failing job e2e');
    await form.getByRole('button', { name: 'Run now' }).click();
    const row = jobRow(page, 'failing job e2e');
    await expect(row).toHaveAttribute('data-status', 'failed', { timeout: 90000 });

    // The notification for a job started here says it failed.
    await expect(page.locator('.Toastify__toast', { hasText: 'failing job e2e' }).last()).toContainText(
      'failed'
    );

    await row.locator('.jp-NbJobs-rowName').click();
    const failure = page.locator('.jp-NbJobs-failure');
    await expect(failure).toContainText('Failed in cell 4 of the executed notebook');
    await expect(failure).toContainText('ValueError: boom from the notebook');
    await expect(failure.locator('.jp-NbJobs-traceback')).toContainText('raise ValueError');
    await expect(page.locator('.jp-NbJobs-log')).toHaveAttribute('data-complete', 'true');
    // The log counts cells as the detail does (from 1).
    await expect(page.locator('.jp-NbJobs-log')).toContainText('cell 4 failed: ValueError');
    await shoot(page, testInfo, 'job-detail-failed');
    await audit(page, '.jp-NbJobs-detail', testInfo);

    // The executed notebook opens on the failing cell.
    await failure.getByRole('button', { name: 'Show the failing cell' }).click();
    const active = page.locator('.jp-NotebookPanel:visible .jp-Cell.jp-mod-active');
    await expect(active).toContainText('raise ValueError', { timeout: 30000 });
    await expect(active.locator('.jp-OutputArea-output')).toContainText('boom from the notebook');
  });

  test('stop a running job from the sidebar', async ({ page, tmpPath }, testInfo) => {
    await upload(page, tmpPath, 'slow.ipynb', SLOW_NOTEBOOK);
    const job = await createJobViaApi(page, {
      input_path: `${tmpPath}/slow.ipynb`,
      name: 'slow job e2e'
    });
    await openSidebar(page);
    const row = jobRow(page, 'slow job e2e');
    await expect(row).toHaveAttribute('data-status', 'running', { timeout: 60000 });
    await expect(row.locator('[role="progressbar"]')).toBeVisible();
    // The same menu for a running job: same positions, what does not apply disabled.
    await row.click({ button: 'right' });
    const menu = page.locator('.jp-NbJobs-jobMenu');
    await expect(menu.getByRole('menuitem')).toHaveText(MENU_ITEMS);
    await expect(menu.getByRole('menuitem', { name: 'Rerun…' })).toHaveAttribute(
      'aria-disabled',
      'true'
    );
    await menu.getByRole('menuitem', { name: 'Stop' }).click();
    await expect(row).toHaveAttribute('data-status', /stopp(ing|ed)/, { timeout: 30000 });
    await expect(row).toHaveAttribute('data-status', 'stopped', { timeout: 60000 });
    const after = await (await page.request.get(`/nbjobs/jobs/${job.id}`)).json();
    expect(after.status).toBe('stopped');

    // Stopped is its own state: no failure box, cells counted from 1, its notebook offered.
    await row.locator('.jp-NbJobs-rowName').click();
    const detail = page.locator('.jp-NbJobs-detail[data-status="stopped"]');
    const note = detail.locator('.jp-NbJobs-stoppedNote');
    await expect(note).toContainText('Stopped while cell 2 ran');
    await expect(detail.locator('.jp-NbJobs-failure')).toHaveCount(0);
    await expect(detail.getByRole('button', { name: 'Show the failing cell' })).toHaveCount(0);
    await expect(detail.getByRole('button', { name: 'View executed notebook' })).toBeVisible();
    await expect(detail.getByRole('button', { name: 'Open as notebook' })).toBeVisible();
    await expect(detail.locator('.jp-NbJobs-log')).toContainText('while cell 2 ran');
    await shoot(page, testInfo, 'job-detail-stopped');
  });

  test('form validation errors show next to their fields', async ({ page, tmpPath }) => {
    await upload(page, tmpPath, 'ok.ipynb', OK_NOTEBOOK);
    await page.evaluate(
      async path => {
      await window.jupyterapp.commands.execute('nbjobs:create-job', { path });
    },
      `${tmpPath}/ok.ipynb`
    );
    const form = page.locator('.jp-NbJobs-form');
    await expect(form.locator('#nbjobs-param-n')).toHaveValue('3');
    // Asked again for the same notebook, the open form comes back instead of a second one.
    await page.evaluate(
      async path => {
        await window.jupyterapp.commands.execute('nbjobs:create-job', { path });
      },
      `${tmpPath}/ok.ipynb`
    );
    await expect(page.locator('.jp-NbJobs-form')).toHaveCount(1);
    // A mistake shows as it is typed, before any submit.
    await form.locator('#nbjobs-param-n').fill('');
    await expect(form.locator('[data-field="param-n"] .jp-NbJobs-fieldError')).toHaveText(
      'must be a whole number'
    );
    // An empty name says what the job will be called.
    await form.locator('#nbjobs-name').fill('');
    await expect(form.locator('[data-field="name"] .jp-NbJobs-help')).toContainText(
      'named "ok", after its notebook'
    );
    await form.locator('#nbjobs-param-n').fill('');
    await form.locator('#nbjobs-max_retries').fill('31');
    await form.locator('#nbjobs-env').fill('1BAD=x');
    await form.getByRole('button', { name: 'Run now' }).click();
    await expect(form.locator('[data-field="param-n"] .jp-NbJobs-fieldError')).toHaveText(
      'must be a whole number'
    );
    await expect(form.locator('[data-field="max_retries"] .jp-NbJobs-fieldError')).toContainText(
      '0 to 30'
    );
    await expect(form.locator('[data-field="env"] .jp-NbJobs-fieldError')).toContainText('1BAD');

    // A server-side error lands next to its field too: a notebook that does not exist.
    await form.locator('#nbjobs-param-n').fill('4');
    await form.locator('#nbjobs-max_retries').fill('0');
    await form.locator('#nbjobs-env').fill('');
    await form.locator('#nbjobs-input_path').fill(`${tmpPath}/missing.ipynb`);
    await form.getByRole('button', { name: 'Run now' }).click();
    await expect(form.locator('[data-field="input_path"] .jp-NbJobs-fieldError')).toBeVisible();
    await expect(page.locator('.jp-NbJobs-form')).toBeVisible();
  });

  test('view the executed notebook read-only, with its script kept out', async ({
    page,
    tmpPath
  }, testInfo) => {
    await upload(
      page,
      tmpPath,
      'shown.ipynb',
      notebook([
        { source: 'print("hello", 6 * 7)' },
        {
          source:
            'from IPython.display import HTML, display\n' +
            'display(HTML("<b id=\'bold\'>bold text</b><script>' +
            'document.body.insertAdjacentHTML(\'beforeend\', \'<p id=ran>ran</p>\');' +
            'window.top.nbjobsPwned = 1</script>"))'
        }
      ])
    );
    const job = await createJobViaApi(page, {
      input_path: `${tmpPath}/shown.ipynb`,
      name: 'view job e2e'
    });
    await openSidebar(page);
    const row = jobRow(page, 'view job e2e');
    await expect(row).toHaveAttribute('data-status', 'completed', { timeout: 90000 });
    await row.locator('.jp-NbJobs-rowName').click();
    const detail = page.locator('.jp-NbJobs-detail');
    await expect(detail).toHaveAttribute('data-status', 'completed');
    const kernelsBefore = await (await page.request.get('/api/kernels')).json();

    await detail.getByRole('button', { name: 'View executed notebook' }).click();
    const tab = page.locator('.lm-DockPanel-tabBar .lm-TabBar-tab.lm-mod-current');
    await expect(tab).toContainText('view job e2e (executed)');
    const iframe = page.locator('.jp-NbJobs-view iframe');
    await expect(iframe).toHaveAttribute('sandbox', '');
    const frame = page.frameLocator('.jp-NbJobs-view iframe');
    await expect(frame.locator('body')).toContainText('hello 42', { timeout: 30000 });
    await expect(frame.locator('#bold')).toHaveText('bold text');
    // The job's script ran nowhere: not in the page, not in the Lab.
    await expect(frame.locator('#ran')).toHaveCount(0);
    expect(await page.evaluate(() => (window as any).nbjobsPwned)).toBeUndefined();
    // No kernel was started to show it.
    const kernelsAfter = await (await page.request.get('/api/kernels')).json();
    expect(kernelsAfter.length).toBe(kernelsBefore.length);
    // The read-only view is the default; the notebook editor is one click away.
    await expect(
      page.locator('.jp-MainAreaWidget:visible .jp-Toolbar').getByText('Open as notebook')
    ).toBeVisible();
    await shoot(page, testInfo, 'executed-view');

    const response = await page.request.get(`/nbjobs/jobs/${job.id}/view`);
    expect(response.headers()['content-type']).toBe('text/html; charset=utf-8');
    expect(response.headers()['content-security-policy']).toMatch(/^sandbox;/);
    expect(response.headers()['x-content-type-options']).toBe('nosniff');

    // Asked again, the open tab comes back instead of a second one.
    await detail.page().evaluate(async id => {
      await window.jupyterapp.commands.execute('nbjobs:open-job', { id });
    }, job.id);
    await detail.getByRole('button', { name: 'View executed notebook' }).click();
    await expect(page.locator('.jp-NbJobs-view')).toHaveCount(1);
  });
});

test.describe('running again, telling outputs apart, every error at once', () => {
  test('rerun opens the create form prefilled from the job and keeps its snapshot', async ({
    page,
    tmpPath
  }, testInfo) => {
    await upload(page, tmpPath, 'ok.ipynb', OK_NOTEBOOK);
    const job = await createJobViaApi(page, {
      input_path: `${tmpPath}/ok.ipynb`,
      name: 'rerun source e2e',
      parameters: { n: 5, label: 'first' },
      output_formats: ['ipynb', 'html'],
      env: { GREETING: 'hi' },
      timeout_seconds: 120,
      max_retries: 1,
      tags: ['e2e']
    });
    await openSidebar(page);
    const row = jobRow(page, 'rerun source e2e');
    await expect(row).toHaveAttribute('data-status', 'completed', { timeout: 90000 });
    // The notebook changes afterwards; a rerun runs the job's snapshot all the same.
    const edited = await page.request.put(`/api/contents/${tmpPath}/ok.ipynb`, {
      data: {
        type: 'file',
        format: 'text',
        content: notebook([
          { source: 'n = 3\nlabel = "edited"', tags: ['parameters'] },
          { source: 'raise RuntimeError("edited after the job")' }
        ])
      }
    });
    expect(edited.status(), await edited.text()).toBe(200);

    await row.click({ button: 'right' });
    await page.locator('.jp-NbJobs-jobMenu').getByRole('menuitem', { name: 'Rerun…' }).click();
    const form = page.locator('.jp-NbJobs-form:visible');
    await expect(form.locator('h2')).toHaveText('Rerun "rerun source e2e"');
    // Every setting of the job, parameters in their typed fields.
    await expect(form.locator('#nbjobs-param-n')).toHaveValue('5');
    await expect(form.locator('#nbjobs-param-label')).toHaveValue('first');
    await expect(form.locator('#nbjobs-name')).toHaveValue('rerun source e2e');
    await expect(form.locator('#nbjobs-kernel_name option:checked')).toHaveText(/Python 3/);
    await expect(form.locator('input[value="html"]')).toBeChecked();
    await expect(form.locator('#nbjobs-timeout_seconds')).toHaveValue('120');
    await expect(form.locator('#nbjobs-max_retries')).toHaveValue('1');
    await expect(form.locator('#nbjobs-tags')).toHaveValue('e2e');
    await expect(form.locator('#nbjobs-env')).toHaveValue('GREETING=hi');
    await expect(form.locator('#nbjobs-input_path')).toHaveAttribute('readonly', '');
    await expect(form.locator('.jp-NbJobs-modes')).toHaveCount(0);
    await form.locator('#nbjobs-param-n').fill('8');
    await form.locator('#nbjobs-name').fill('rerun e2e');
    await form.locator('#nbjobs-tags').fill('e2e, again');
    await shoot(page, testInfo, 'rerun-form');
    await page.theme.setDarkTheme();
    await shoot(page, testInfo, 'rerun-form');
    await page.theme.setLightTheme();
    await audit(page, '.jp-NbJobs-form', testInfo);
    // Asked again, the open form comes back instead of a second one.
    await page.evaluate(async (id: string) => {
      await window.jupyterapp.commands.execute('nbjobs:rerun-job', { id });
    }, job.id);
    await expect(page.locator('.jp-NbJobs-form')).toHaveCount(1);

    await form.getByRole('button', { name: 'Rerun' }).click();
    await expect(form).toHaveCount(0);
    const rerun = jobRow(page, 'rerun e2e');
    await expect(rerun).toHaveAttribute('data-status', 'completed', { timeout: 90000 });
    const list = await (await page.request.get('/nbjobs/jobs?name=rerun%20e2e')).json();
    const made = list.jobs.find((j: any) => j.name === 'rerun e2e');
    expect(made.parameters).toEqual({ n: 8, label: 'first' });
    expect(made.tags).toEqual(['e2e', 'again']);
    expect(made.output_formats).toEqual(['ipynb', 'html']);
    expect(made.env).toEqual({ GREETING: 'hi' });
    expect([made.timeout_seconds, made.max_retries]).toEqual([120, 1]);
  });

  test("the executed notebook's tab is told apart from its input's", async ({
    page,
    tmpPath
  }, testInfo) => {
    await upload(page, tmpPath, 'ok.ipynb', OK_NOTEBOOK);
    const job = await createJobViaApi(page, {
      input_path: `${tmpPath}/ok.ipynb`,
      name: 'tabs e2e'
    });
    await openSidebar(page);
    const row = jobRow(page, 'tabs e2e');
    await expect(row).toHaveAttribute('data-status', 'completed', { timeout: 90000 });
    await page.evaluate(async (path: string) => {
      await window.jupyterapp.commands.execute('docmanager:open', { path });
    }, `${tmpPath}/ok.ipynb`);
    await row.click({ button: 'right' });
    await page
      .locator('.jp-NbJobs-jobMenu')
      .getByRole('menuitem', { name: 'Open as notebook' })
      .click();
    const executed = page.locator('.lm-DockPanel-tabBar .lm-TabBar-tab.jp-NbJobs-executedTab');
    await expect(executed).toHaveCount(1);
    await expect(executed).toHaveClass(/lm-mod-current/);
    const input = page.locator('.lm-DockPanel-tabBar .lm-TabBar-tab', {
      has: page.locator('.lm-TabBar-tabLabel', { hasText: /^ok\.ipynb$/ })
    });
    // Both tabs are named after the file; the executed one says so before the name.
    await expect(input).toHaveCount(2);
    const note = await executed
      .locator('.lm-TabBar-tabLabel')
      .evaluate(el => getComputedStyle(el, '::before').content);
    expect(note).toBe('"executed · "');
    const inputNote = await page
      .locator('.lm-DockPanel-tabBar .lm-TabBar-tab:not(.jp-NbJobs-executedTab) .lm-TabBar-tabLabel', {
        hasText: /^ok\.ipynb$/
      })
      .evaluate(el => getComputedStyle(el, '::before').content);
    expect(inputNote).toBe('none');
    await expect(executed.locator('svg[data-icon="jupyterlab-nbjobs:jobs"]')).toHaveCount(1);
    // Its accessible name says it too (a screen reader reads the generated text).
    await expect(page.getByRole('tab', { name: 'executed · ok.ipynb' })).toHaveCount(1);
    // And nothing was renamed: the output is where the job published it.
    const outputs = await (await page.request.get(`/nbjobs/jobs/${job.id}/outputs`)).json();
    expect(outputs.outputs.map((o: any) => o.name)).toContain('ok.ipynb');
    await shoot(page, testInfo, 'executed-tab', page.locator('.lm-DockPanel-tabBar').first());
    await page.theme.setDarkTheme();
    await shoot(page, testInfo, 'executed-tab', page.locator('.lm-DockPanel-tabBar').first());
    await page.theme.setLightTheme();
  });

  test('the create form shows every error the server found at once', async ({
    page,
    tmpPath
  }, testInfo) => {
    await upload(page, tmpPath, 'ok.ipynb', OK_NOTEBOOK);
    await page.evaluate(async (path: string) => {
      await window.jupyterapp.commands.execute('nbjobs:create-job', { path });
    }, `${tmpPath}/ok.ipynb`);
    const form = page.locator('.jp-NbJobs-form');
    await expect(form.locator('#nbjobs-param-n')).toHaveValue('3');
    // Two mistakes only the server checks: one click on Run shows both.
    await form.locator('#nbjobs-name').fill('n'.repeat(201));
    await form.locator('#nbjobs-tags').fill(`ok, ${'t'.repeat(129)}`);
    await form.getByRole('button', { name: 'Run now' }).click();
    await expect(form.locator('[data-field="name"] .jp-NbJobs-fieldError')).toContainText(
      '200 characters'
    );
    await expect(form.locator('[data-field="tags"] .jp-NbJobs-fieldError')).toContainText(
      '128 characters'
    );
    await expect(form.locator('.jp-NbJobs-fieldError')).toHaveCount(2);
    await shoot(page, testInfo, 'create-form-errors');
    await page.theme.setDarkTheme();
    await shoot(page, testInfo, 'create-form-errors');
    await page.theme.setLightTheme();
    const jobs = await (await page.request.get('/nbjobs/jobs')).json();
    expect(jobs.jobs.filter((j: any) => j.name.startsWith('nnnn'))).toEqual([]);
  });
});
