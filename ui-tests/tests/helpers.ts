import AxeBuilder from '@axe-core/playwright';
import { IJupyterLabPageFixture } from '@jupyterlab/galata';
import { expect, Page, TestInfo } from '@playwright/test';
import * as fs from 'fs';
import * as path from 'path';

/** Where screenshots go (kept as test artifacts): ui-tests/screenshots/. */
export const SCREENSHOTS = path.join(__dirname, '..', 'screenshots');

type Cell = { source: string; tags?: string[] };

/** A real nbformat 4 notebook with the python3 kernel. */
export function notebook(cells: Cell[]): string {
  return JSON.stringify({
    nbformat: 4,
    nbformat_minor: 5,
    metadata: {
      kernelspec: { name: 'python3', display_name: 'Python 3', language: 'python' },
      language_info: { name: 'python' }
    },
    cells: cells.map((c, i) => ({
      id: `cell-${i}`,
      cell_type: 'code',
      metadata: c.tags ? { tags: c.tags } : {},
      execution_count: null,
      outputs: [],
      source: c.source
    }))
  });
}

export const OK_NOTEBOOK = notebook([
  { source: 'n = 3\nlabel = "hello"', tags: ['parameters'] },
  { source: 'import time\ntime.sleep(1)\nprint(label, n * 2)' }
]);

export const FAILING_NOTEBOOK = notebook([
  { source: 'x = 1', tags: ['parameters'] },
  { source: 'print("before the failure")' },
  { source: 'raise ValueError("boom from the notebook")' }
]);

/** Records values the way scrapbook's glue() does (a raw display bundle; no scrapbook needed). */
export const RECORDING_NOTEBOOK = notebook([
  { source: 'n = 3', tags: ['parameters'] },
  {
    source:
      'from IPython.display import display\n' +
      'def glue(name, value):\n' +
      '    display({"application/scrapbook.scrap.json+json": {"name": name, "data": value,' +
      ' "encoder": "json", "version": 1}}, raw=True)\n' +
      'glue("double", n * 2)\n' +
      'glue("label", f"run {n}")'
  }
]);

export const SLOW_NOTEBOOK = notebook([
  { source: 'seconds = 300', tags: ['parameters'] },
  { source: 'import time\nfor _ in range(seconds):\n    time.sleep(1)' }
]);

export async function upload(page: IJupyterLabPageFixture, dir: string, name: string, content: string) {
  expect(await page.contents.uploadContent(content, 'text', `${dir}/${name}`)).toBe(true);
}

export async function openSidebar(page: IJupyterLabPageFixture): Promise<void> {
  // The command only activates (galata's openTab would toggle an open panel closed).
  await page.evaluate(async () => {
    await window.jupyterapp.commands.execute('nbjobs:open-sidebar', { tab: 'jobs' });
  });
  await expect(page.locator('#jp-nbjobs-sidebar .jp-NbJobs-sidebar')).toBeVisible();
}

export function jobRow(page: Page, name: string) {
  return page.locator('#jp-nbjobs-sidebar .jp-NbJobs-row', {
    has: page.locator('.jp-NbJobs-rowName', { hasText: name })
  });
}

/** Save a screenshot in light or dark theme under ui-tests/screenshots and attach it. */
export async function shoot(
  page: IJupyterLabPageFixture,
  testInfo: TestInfo,
  name: string,
  target?: ReturnType<Page['locator']>
): Promise<void> {
  fs.mkdirSync(SCREENSHOTS, { recursive: true });
  const theme = (await page.theme.getTheme()).toLowerCase().includes('dark') ? 'dark' : 'light';
  const file = path.join(SCREENSHOTS, `${name}-${theme}.png`);
  if (target) {
    await target.screenshot({ path: file });
  } else {
    await page.screenshot({ path: file });
  }
  await testInfo.attach(`${name}-${theme}`, { path: file, contentType: 'image/png' });
}

/** Create a job through the REST API (for tests whose subject is not the form). */
export async function createJobViaApi(
  page: IJupyterLabPageFixture,
  body: Record<string, unknown>
): Promise<any> {
  const response = await page.request.post('/nbjobs/jobs', { data: body });
  expect(response.status(), await response.text()).toBe(201);
  return response.json();
}

/**
 * An axe-core audit of one part of the page (WCAG 2 A/AA rules): fails on any serious or
 * critical violation, naming the rule and the elements.
 */
export async function audit(page: Page, selector: string, testInfo: TestInfo): Promise<void> {
  const result = await new AxeBuilder({ page })
    .include(selector)
    .withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'])
    .analyze();
  const bad = result.violations.filter(v => v.impact === 'serious' || v.impact === 'critical');
  await testInfo.attach(`axe ${selector}`, {
    body: JSON.stringify(result.violations, null, 2),
    contentType: 'application/json'
  });
  expect(
    bad.map(v => `${v.id} (${v.impact}): ${v.nodes.map(n => n.target.join(' ')).join(', ')}`),
    `axe violations in ${selector}`
  ).toEqual([]);
}
