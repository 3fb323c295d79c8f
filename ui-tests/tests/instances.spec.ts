/**
 * Notebook instances in the Lab, against a real server whose AWS is the moto server plus the
 * thin fake (passing states, presigned URLs), started by jupyter_server_test_config.py
 * (instances_setup.py: project `galata`'s EMR clusters, one WAITING and one terminated, and
 * the log events of `e2e-lab`). The Lab page is `alice` unless a test sends
 * X-Nbjobs-Test-User; the REST calls that set the scene name their user.
 */
import { expect, galata, IJupyterLabPageFixture, test } from '@jupyterlab/galata';
import { APIRequestContext, Page } from '@playwright/test';

import { shoot } from './helpers';

const PROJECT = 'galata';
const SUSPENDED = 'frozen';

// Quick reads while an instance changes state (the fake passes each state in 2 reads).
test.use({
  mockSettings: {
    ...galata.DEFAULT_SETTINGS,
    'jupyterlab-nbjobs:instances': { refreshInterval: 1 }
  }
});

const as = (user: string) => ({ 'X-Nbjobs-Test-User': user });

async function api(
  request: APIRequestContext,
  user: string,
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE',
  path: string,
  data?: unknown
): Promise<any> {
  const response = await request.fetch(`/nbjobs/${path}`, {
    method,
    headers: as(user),
    data
  });
  expect(response.status(), `${method} ${path}: ${await response.text()}`).toBeLessThan(300);
  return response.status() === 204 ? null : response.json();
}

async function waitFor(request: APIRequestContext, user: string, name: string, status: string) {
  await expect
    .poll(async () => (await api(request, user, 'GET', `instances/${name}`)).status, {
      timeout: 20000
    })
    .toBe(status);
}

/** The scene, once per server: two projects, bob's and alice's instances. */
test.beforeAll(async ({ playwright }) => {
  const port = process.env.NBJOBS_GALATA_PORT || '18888';
  const request = await playwright.request.newContext({ baseURL: `http://127.0.0.1:${port}` });
  const me = await api(request, 'admin', 'GET', 'me');
  if (me.projects.some((p: any) => p.name === PROJECT)) {
    await request.dispose();
    return;
  }
  await api(request, 'admin', 'POST', 'projects', {
    name: PROJECT,
    owners: ['olivia'],
    members: ['alice', 'bob'],
    stop_time: '19:00',
    timezone: 'Europe/Paris',
    allow_owner_override: true
  });
  await api(request, 'admin', 'POST', 'projects', {
    name: SUSPENDED,
    members: ['bob'],
    timezone: 'UTC'
  });
  await api(request, 'alice', 'POST', 'instances', { name: 'alices-lab', project: PROJECT });
  await api(request, 'bob', 'POST', 'instances', { name: 'bobs-frozen', project: SUSPENDED });
  await api(request, 'admin', 'PATCH', `projects/${SUSPENDED}`, { suspended: true });
  await waitFor(request, 'alice', 'alices-lab', 'InService');
  await request.dispose();
});

async function openInstances(page: IJupyterLabPageFixture) {
  await page.evaluate(async () => {
    await window.jupyterapp.commands.execute('nbjobs:open-sidebar', { tab: 'jobs' });
  });
  const tab = page.locator('#jp-nbjobs-tab-instances');
  await tab.click();
  const panel = page.locator('#jp-nbjobs-sidebar .jp-NbJobs-instances');
  await expect(panel).toBeVisible();
  return panel;
}

function row(page: Page, name: string) {
  return page.locator(`#jp-nbjobs-sidebar .jp-NbJobs-row[data-instance="${name}"]`);
}

/** Every status the Lab read for an instance, in order (a passing state lasts ~1 s). */
function statusesSeen(page: Page, name: string): string[] {
  const seen: string[] = [];
  page.on('response', async response => {
    if (!/\/nbjobs\/instances(\/|\?|$)/.test(response.url()) || !response.ok()) {
      return;
    }
    try {
      const body = await response.json();
      for (const i of body.instances ?? [body]) {
        if (i.name === name && seen[seen.length - 1] !== i.status) {
          seen.push(i.status);
        }
      }
    } catch {
      // Not JSON (a 204): nothing to see.
    }
  });
  return seen;
}

test('an instance: create, in service, open, stop, edit, start, logs, delete', async ({
  page,
  request
}, testInfo) => {
  const seen = statusesSeen(page, 'e2e-lab');
  const panel = await openInstances(page);
  await panel.locator('[data-action="create"]').click();
  const form = page.locator('.jp-NbJobs-instanceForm');

  // The name is checked as typed, against SageMaker's rule.
  await form.locator('#nbjobs-name').fill('e2e lab');
  await expect(form.locator('[data-field="name"] .jp-NbJobs-fieldError')).toContainText(
    'Only letters'
  );
  await form.locator('#nbjobs-name').fill('e2e-lab');
  await expect(form.locator('[data-field="name"] .jp-NbJobs-fieldError')).toHaveCount(0);
  await expect(form.locator('#nbjobs-project')).toHaveValue(PROJECT);

  // The searchable type list, and only the WAITING EMR cluster of the project.
  await form.locator('#nbjobs-instance-type-search').fill('t3 large');
  await expect(form.locator('#nbjobs-instance_type option')).toHaveText([
    'ml.t3.medium',
    'ml.t3.large',
    'ml.t3.xlarge'
  ]);
  await form.locator('#nbjobs-instance_type').selectOption('ml.t3.large');
  const clusters = form.locator('#nbjobs-emr_cluster_id option');
  await expect(clusters).toHaveCount(2);
  await expect(clusters.nth(1)).toContainText('spark-waiting');
  await expect(clusters.nth(1)).toContainText('WAITING');
  await expect(form.locator('#nbjobs-emr_cluster_id')).not.toContainText('spark-finished');
  await expect(form.locator('[data-field="stop_time"]')).toContainText('19:00 (Europe/Paris)');
  await shoot(page, testInfo, 'instance-form');
  await form.getByRole('button', { name: 'Create instance' }).click();

  // Pending, then in service, with a notification offering to open it.
  const lab = row(page, 'e2e-lab');
  await expect(lab).toHaveAttribute('data-status', 'InService', { timeout: 20000 });
  expect(seen.slice(0, 2)).toEqual(['Pending', 'InService']);
  await expect(
    page.locator('.Toastify__toast', { hasText: 'Notebook instance "e2e-lab" is in service.' })
  ).toBeVisible();
  await expect(lab.locator('.jp-NbJobs-nextStop')).toContainText('(Europe/Paris)');
  await expect(lab.locator('.jp-NbJobs-instanceType')).toHaveText('ml.t3.large');
  const actions = () => lab.locator('[data-action]').evaluateAll(bs => bs.map(b => b.dataset.action));
  expect(await actions()).toEqual(['stop', 'open', 'update', 'logs']);
  await shoot(page, testInfo, 'instances-list', page.locator('#jp-nbjobs-sidebar'));

  // Open JupyterLab: a new browser tab at the presigned URL (answered here, no AWS).
  await page.context().route(/\.notebook\.us-east-1\.sagemaker\.aws/, route =>
    route.fulfill({ contentType: 'text/html', body: '<title>instance lab</title>' })
  );
  const popup = page.waitForEvent('popup');
  await lab.locator('[data-action="open"]').click();
  const tab = await popup;
  await tab.waitForURL(/e2e-lab\.notebook\.us-east-1\.sagemaker\.aws.*authToken=/);
  await tab.close();

  // Stop: Stopping, then Stopped; start and delete are offered then.
  await lab.locator('[data-action="stop"]').click();
  await expect(lab).toHaveAttribute('data-status', 'Stopped', { timeout: 20000 });
  expect(seen).toContain('Stopping');
  expect(await actions()).toEqual(['start', 'update', 'logs', 'delete']);

  // Edit while stopped: a bigger volume.
  await lab.locator('[data-action="update"]').click();
  const edit = page.locator('.jp-NbJobs-instanceForm[data-mode="edit"]');
  await edit.locator('#nbjobs-volume_size_gb').fill('20');
  await edit.getByRole('button', { name: 'Save' }).click();
  await expect(edit).toHaveCount(0);
  await expect
    .poll(async () => (await api(request, 'alice', 'GET', 'instances/e2e-lab')).volume_size_gb)
    .toBe(20);

  // The detail with its log: newest last, older pages on demand.
  await lab.locator('.jp-NbJobs-rowName').click();
  const detail = page.locator('.jp-NbJobs-detail[data-instance="e2e-lab"]');
  await expect(detail.locator('[data-field="volume_size_gb"]')).toContainText('20 GB');
  await expect(detail.locator('[data-field="emr_cluster_id"]')).toContainText('none');
  const events = detail.locator('.jp-NbJobs-logEvent');
  await expect(events).toHaveCount(100);
  await expect(events.last()).toContainText('jupyter log line 130');
  await detail.getByRole('button', { name: 'Load older events' }).click();
  await expect(events).toHaveCount(130);
  await expect(events.first()).toContainText('jupyter log line 1');
  await expect(detail.getByRole('button', { name: 'Load older events' })).toHaveCount(0);
  await shoot(page, testInfo, 'instance-detail');

  // Start again from the detail; the sidebar follows it to InService.
  await detail.locator('[data-action="start"]').click();
  await expect(detail).toHaveAttribute('data-status', 'InService', { timeout: 20000 });
  await expect(lab).toHaveAttribute('data-status', 'InService', { timeout: 20000 });

  // The dark theme: the list, the detail and the form.
  await page.theme.setDarkTheme();
  await shoot(page, testInfo, 'instance-detail');
  await openInstances(page);
  await shoot(page, testInfo, 'instances-list', page.locator('#jp-nbjobs-sidebar'));
  await page.locator('#jp-nbjobs-sidebar [data-action="create"]').click();
  await page.locator('.jp-NbJobs-instanceForm #nbjobs-name').fill('dark-lab');
  await shoot(page, testInfo, 'instance-form');
  await page.locator('.jp-NbJobs-instanceForm').getByRole('button', { name: 'Cancel' }).click();
  await page.theme.setLightTheme();

  // Delete, once stopped, after a confirmation naming it.
  await lab.locator('[data-action="stop"]').click();
  await expect(lab).toHaveAttribute('data-status', 'Stopped', { timeout: 20000 });
  await lab.locator('[data-action="delete"]').click();
  const dialog = page.locator('.jp-Dialog');
  await expect(dialog).toContainText('Delete the notebook instance "e2e-lab" of project "galata"?');
  await dialog.getByRole('button', { name: 'Delete' }).click();
  await expect(lab).toHaveCount(0, { timeout: 20000 });
  const mine = await api(request, 'alice', 'GET', 'instances?mine=true');
  expect(mine.instances.map((i: any) => i.name)).not.toContain('e2e-lab');
});

test.describe('as bob, a member of the project', () => {
  test.use({ extraHTTPHeaders: as('bob') });

  test("sees no start or open on alice's instance, a suspended project, an override refused", async ({
    page,
    request
  }) => {
    const panel = await openInstances(page);
    await panel.getByRole('radio', { name: 'Project instances' }).check();
    const picker = panel.locator('#nbjobs-instance-project');
    await expect(picker.locator('option')).toHaveText([
      'frozen (member, suspended)',
      'galata (member)'
    ]);
    await picker.selectOption(PROJECT);
    const alices = row(page, 'alices-lab');
    await expect(alices).toHaveAttribute('data-status', 'InService');
    await expect(alices.locator('.jp-NbJobs-instanceOwner')).toHaveText('owner: alice');
    await expect(alices.locator('[data-action]')).toHaveCount(1);
    await expect(alices.locator('[data-action="logs"]')).toHaveCount(1);

    // A suspended project: said so; its members get nothing of it, not even their own
    // instance, and the create form does not offer it.
    await picker.selectOption(SUSPENDED);
    await expect(panel.locator('.jp-NbJobs-notice')).toContainText(
      'This project is suspended: its members cannot see, start or change its instances.'
    );
    await expect(row(page, 'bobs-frozen')).toHaveCount(0);
    await panel.getByRole('radio', { name: 'My instances' }).check();
    await expect(row(page, 'alices-lab')).toHaveCount(0);
    await expect(row(page, 'bobs-frozen')).toHaveCount(0);
    await panel.getByRole('radio', { name: 'Project instances' }).check();

    // An own stop time, refused by the server once the project stops allowing it.
    await picker.selectOption(PROJECT);
    await panel.locator('[data-action="create"]').click();
    const form = page.locator('.jp-NbJobs-instanceForm');
    await expect(form.locator('#nbjobs-project option')).toHaveText(['galata (member)']);
    await form.locator('#nbjobs-name').fill('bobs-late');
    await form.locator('#nbjobs-override-stop').check();
    await form.locator('#nbjobs-stop_time').fill('21:30');
    await api(request, 'admin', 'PATCH', `projects/${PROJECT}`, { allow_owner_override: false });
    try {
      await form.getByRole('button', { name: 'Create instance' }).click();
      await expect(form.locator('[data-field="stop_time"] .jp-NbJobs-fieldError')).toBeVisible();
      const listed = await api(request, 'bob', 'GET', `instances?project=${PROJECT}`);
      expect(listed.instances.map((i: any) => i.name)).not.toContain('bobs-late');
    } finally {
      await api(request, 'admin', 'PATCH', `projects/${PROJECT}`, { allow_owner_override: true });
    }
  });
});

test.describe('as olivia, an owner of the project', () => {
  test.use({ extraHTTPHeaders: as('olivia') });

  test('manages its members and stop time in the projects view', async ({ page, request }) => {
    const panel = await openInstances(page);
    await panel.locator('[data-action="projects"]').click();
    const view = page.locator('.jp-NbJobs-projects');
    // Creating projects is for admins.
    await expect(view.locator('[data-action="new-project"]')).toHaveCount(0);
    const item = view.locator(`li[data-project="${PROJECT}"]`);
    await item.locator('.jp-NbJobs-rowName').click();
    await expect(item.locator('[data-action="suspend"]')).toBeVisible();
    // Owners are changed by admins only.
    await expect(item.locator(`#nbjobs-project-${PROJECT}-owners`)).toBeDisabled();
    await item.locator(`#nbjobs-project-${PROJECT}-members`).fill('alice, bob, carol');
    await item.locator(`#nbjobs-project-${PROJECT}-stop_time`).fill('20:15');
    await item.getByRole('button', { name: 'Save' }).click();
    await expect(item.getByRole('status')).toHaveText('Saved.');
    const project = await api(request, 'olivia', 'GET', `projects/${PROJECT}`);
    expect([project.members, project.stop_time]).toEqual([['alice', 'bob', 'carol'], '20:15']);
    await expect(item.locator('.jp-NbJobs-rowMeta')).toContainText('20:15 (Europe/Paris)');
    await api(request, 'olivia', 'PATCH', `projects/${PROJECT}`, {
      members: ['alice', 'bob'],
      stop_time: '19:00'
    });
  });
});

test.describe('as an admin', () => {
  test.use({ extraHTTPHeaders: as('admin') });

  test('creates, suspends and deletes a project', async ({ page, request }) => {
    const panel = await openInstances(page);
    await panel.locator('[data-action="projects"]').click();
    const view = page.locator('.jp-NbJobs-projects');
    await view.locator('[data-action="new-project"]').click();
    await view.locator('#nbjobs-project-new-name').fill('ui-project');
    await view.getByRole('button', { name: 'Create project' }).click();
    await expect(view.locator('[data-field="project-new-name"] .jp-NbJobs-fieldError')).toHaveText(
      '1 to 24 letters (a-z, A-Z) and digits.'
    );
    await view.locator('#nbjobs-project-new-name').fill('uiproject');
    await view.locator('#nbjobs-project-new-members').fill('dana, erin');
    await view.locator('#nbjobs-project-new-stop_time').fill('18:00');
    await view.locator('#nbjobs-project-new-timezone').fill('Asia/Tokyo');
    await view.getByRole('button', { name: 'Create project' }).click();
    const item = view.locator('li[data-project="uiproject"]');
    await expect(item.locator('.jp-NbJobs-rowMeta')).toContainText('18:00 (Asia/Tokyo)');
    const made = await api(request, 'admin', 'GET', 'projects/uiproject');
    expect(made.members).toEqual(['dana', 'erin']);

    // Deleting is offered once the project is suspended (and has no instance running).
    await expect(item.locator('[data-action="delete"]')).toHaveCount(0);
    await item.locator('[data-action="suspend"]').click();
    await expect(item).toHaveAttribute('data-suspended', 'true');
    await item.locator('[data-action="delete"]').click();
    await page.locator('.jp-Dialog').getByRole('button', { name: 'Delete' }).click();
    await expect(item).toHaveCount(0);
    const after = await request.get('/nbjobs/projects/uiproject', { headers: as('admin') });
    expect(after.status()).toBe(404);
  });
});
