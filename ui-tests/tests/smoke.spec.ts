import { expect, test } from '@jupyterlab/galata';

test('the extension adds its sidebar and commands', async ({ page }) => {
  const tab = page.locator('.jp-SideBar [data-id="jp-nbjobs-sidebar"]');
  await expect(tab).toBeVisible();
  await tab.click();
  await expect(page.locator('#jp-nbjobs-sidebar')).toBeVisible();
  const hasCommand = await page.evaluate(() =>
    window.jupyterapp.commands.hasCommand('nbjobs:open-sidebar')
  );
  expect(hasCommand).toBe(true);
});
