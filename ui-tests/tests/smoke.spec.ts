import { expect, test } from '@jupyterlab/galata';

import { shoot } from './helpers';

test('the extension adds its sidebar and commands', async ({ page }) => {
  const tab = page.locator('.jp-SideBar [data-id="jp-nbjobs-sidebar"]');
  await expect(tab).toBeVisible();
  // Its own icon, not the generic list the table of contents uses.
  await expect(tab.locator('svg[data-icon="jupyterlab-nbjobs:jobs"]')).toHaveCount(1);
  await tab.click();
  await expect(page.locator('#jp-nbjobs-sidebar')).toBeVisible();
  const hasCommand = await page.evaluate(() =>
    window.jupyterapp.commands.hasCommand('nbjobs:open-sidebar')
  );
  expect(hasCommand).toBe(true);
});

test('a Notebook Jobs tile in the Launcher opens the jobs', async ({ page }, testInfo) => {
  // The page opens with a Launcher.
  const card = page.locator('.jp-LauncherCard:visible', { hasText: 'Notebook Jobs' }).first();
  await expect(card).toBeVisible();
  await expect(card.locator('svg[data-icon="jupyterlab-nbjobs:jobs"]')).toHaveCount(1);
  await card.scrollIntoViewIfNeeded();
  await shoot(page, testInfo, 'launcher');
  await card.click();
  await expect(page.locator('#jp-nbjobs-sidebar .jp-NbJobs-sidebar')).toBeVisible();
});
