import { expect } from '@jupyterlab/galata';
import type { Page } from '@playwright/test';

/**
 * Stop every job still queued or running, so that a test that failed half-way does not
 * leave slow jobs holding the server's job slots (the next tests' jobs would stay queued).
 */
export async function stopLeftoverJobs(page: Page): Promise<void> {
  const response = await page.request.get('/nbjobs/jobs?status=queued,running&limit=500');
  expect(response.status(), await response.text()).toBe(200);
  const ids: string[] = (await response.json()).jobs.map((job: { id: string }) => job.id);
  if (ids.length === 0) {
    return;
  }
  const stopped = await page.request.post('/nbjobs/jobs/bulk/stop', { data: { ids } });
  expect(stopped.status(), await stopped.text()).toBe(200);
}
