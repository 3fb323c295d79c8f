import { expect, test } from '@jupyterlab/galata';

import { OK_NOTEBOOK, upload } from './helpers';
import { stopLeftoverJobs } from './cleanup';

test.afterEach(async ({ page }) => stopLeftoverJobs(page));

test('the notebook toolbar button uses the open notebook and offers to save it', async ({
  page,
  tmpPath
}) => {
  await upload(page, tmpPath, 'first.ipynb', OK_NOTEBOOK);
  await upload(page, tmpPath, 'second.ipynb', OK_NOTEBOOK);
  await page.filebrowser.openDirectory(tmpPath);
  // The file browser's selection is first.ipynb, but second.ipynb is the open notebook.
  await page.notebook.openByPath(`${tmpPath}/second.ipynb`);
  await page.notebook.activate('second.ipynb');
  await page
    .locator('.jp-DirListing-item', { hasText: 'first.ipynb' })
    .click();
  await page.notebook.activate('second.ipynb');
  await page.notebook.setCell(0, 'code', 'n = 7\nlabel = "edited"');
  const tab = page.locator('.lm-DockPanel-tabBar .lm-TabBar-tab', { hasText: /^second\.ipynb$/ });
  await expect(tab).toHaveClass(/jp-mod-dirty/);

  const button = page.locator(
    '.jp-NotebookPanel:visible .jp-Toolbar [data-command="nbjobs:create-from-notebook"]'
  );
  await expect(button).toBeVisible();
  // Its own icon, not the "+" of "Insert a cell below" in the same toolbar.
  await expect(button.locator('svg[data-icon="jupyterlab-nbjobs:jobs"]')).toHaveCount(1);
  await button.click();
  const dialog = page.locator('.jp-Dialog');
  await expect(dialog).toContainText('Save the notebook?');
  await dialog.getByRole('button', { name: 'Save', exact: true }).click();

  const form = page.locator('.jp-NbJobs-form');
  await expect(form.locator('#nbjobs-input_path')).toHaveValue(`${tmpPath}/second.ipynb`);
  // Saved first, so the form reads the edited parameters cell.
  await expect(form.locator('#nbjobs-param-n')).toHaveValue('7');
  await expect(tab).not.toHaveClass(/jp-mod-dirty/);
});

test('the File menu and the command palette have the entry', async ({ page, tmpPath }) => {
  await upload(page, tmpPath, 'menu.ipynb', OK_NOTEBOOK);
  await page.notebook.openByPath(`${tmpPath}/menu.ipynb`);
  await page.notebook.activate('menu.ipynb');
  await page.menu.clickMenuItem('File>Create Notebook Job from Current Notebook');
  // JupyterLab may mark a freshly opened notebook dirty (metadata upgrade): then it asks.
  const form = page.locator('.jp-NbJobs-form');
  const dialog = page.locator('.jp-Dialog');
  await expect(form.or(dialog).first()).toBeVisible();
  if (await dialog.isVisible()) {
    await dialog.getByRole('button', { name: 'Continue without saving' }).click();
  }
  await expect(page.locator('.jp-NbJobs-form #nbjobs-input_path')).toHaveValue(
    `${tmpPath}/menu.ipynb`
  );
  await page.keyboard.press('Control+Shift+C');
  await page.locator('.lm-CommandPalette-input').fill('Show Notebook Jobs');
  await expect(
    page.locator('.lm-CommandPalette-item', { hasText: 'Show Notebook Jobs' })
  ).toBeVisible();
});
