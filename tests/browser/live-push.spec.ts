import { apiFor, expect, loginAs, test } from './support/fixtures';

/**
 * The live promise, end to end in three browsers: an order created and
 * shipped in one page moves the executive board and warehouse A's wall screen,
 * open in two other pages, within 2 s of each step and without a reload.
 */
const LIVE_MS = 2_000;

test('an order entered and shipped in one page reaches the executive board and the wall screen within 2 s', async ({ page, browser, world }, testInfo) => {
  test.setTimeout(120_000);
  const admin = await apiFor(world, 'admin');
  const { token } = await admin.kiosk.create.mutate({ warehouseId: world.warehouses.A, label: 'Live push test' });

  const executive = await (await browser.newContext()).newPage();
  await loginAs(executive, 'executive');
  await executive.goto('/board/executive');
  await expect(executive.getByTestId('connection-indicator')).toHaveAttribute('data-state', 'connected');
  const wall = await (await browser.newContext()).newPage();
  await wall.goto(`/wall/${world.warehouses.A}?kiosk=${encodeURIComponent(token)}`);
  await expect(wall.getByTestId('wall-connection')).toHaveText('LIVE');
  for (const p of [executive, wall]) await p.evaluate(() => ((window as unknown as { notReloaded: boolean }).notReloaded = true));
  const value = async (testId: string) => Number(await executive.getByTestId(testId).getAttribute('data-value'));
  const lines = await value('fill-today-lines');
  const units = await value('fill-today-units');

  // The admin both sells and ships: one page runs the whole flow through the screens.
  await loginAs(page, 'admin');
  await page.goto('/ops/orders/new');
  await expect(page.getByRole('button', { name: 'Create order' })).toBeEnabled();
  await page.getByLabel('Customer', { exact: true }).selectOption(String(world.customer));
  await page.getByLabel('Warehouse', { exact: true }).selectOption(String(world.warehouses.A));
  await page.getByLabel('Line 1 product', { exact: true }).selectOption(String(world.products[2]!.id));
  await page.getByLabel('Line 1 quantity').fill('3');
  await page.getByRole('button', { name: 'Create order' }).click();
  await expect(page).toHaveURL(/\/ops\/orders\/\d+$/);
  const orderId = Number(/(\d+)$/.exec(page.url())![1]);

  await page.getByRole('button', { name: 'Confirm order' }).click();
  await expect(page.getByTestId('order-state')).toHaveText('Confirmed');
  // Confirmed and reserved at A: it joins the wall screen's picking queue.
  const queued = wall.locator(`[data-testid="picking-row"][data-order-id="${orderId}"]`);
  await expect(queued).toHaveCount(1, { timeout: LIVE_MS });

  await page.getByLabel('Ship quantity, line 1').fill('3');
  await page.getByRole('button', { name: 'Ship quantities' }).click();
  await expect(page.getByTestId('shipment-row')).toHaveCount(1);
  await expect(executive.getByTestId('fill-today-lines')).toHaveAttribute('data-value', String(lines + 1), { timeout: LIVE_MS });
  await expect(executive.getByTestId('fill-today-units')).toHaveAttribute('data-value', String(units + 3), { timeout: LIVE_MS });
  await expect(queued).toHaveCount(0, { timeout: LIVE_MS });

  for (const p of [executive, wall]) expect(await p.evaluate(() => (window as unknown as { notReloaded?: boolean }).notReloaded)).toBe(true);
  await executive.screenshot({ path: testInfo.outputPath('live-executive.png'), fullPage: true });
  await wall.screenshot({ path: testInfo.outputPath('live-wall.png'), fullPage: true });
});
