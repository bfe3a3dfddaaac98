import type { Page } from '@playwright/test';
import { apiFor, expect, loginAs, test } from './support/fixtures';
import type { World } from './support/world';

/**
 * The alerts inbox: a backorder at C raises an alert (ALERT_BACKORDER_DAYS=0 on the
 * E2E server) that arrives live, is acknowledged and resolved with who and when.
 */

/** Sells more of a product than C has and ships what there is: the rest is a backorder. Returns the order id. */
async function backorderAtC(world: World): Promise<number> {
  const sales = await apiFor(world, 'sales');
  const admin = await apiFor(world, 'admin');
  const C = world.warehouses.C;
  const levels = await sales.stock.levels.query({ warehouseId: C });
  const stocked = levels.filter((l) => l.available > 0).sort((a, b) => b.available - a.available)[0];
  expect(stocked, 'C has some stock left to ship').toBeDefined();
  const order = await sales.orders.create.mutate({ customerId: world.customer, warehouseId: C, lines: [{ productId: stocked!.productId, qty: stocked!.available + 5 }] });
  await sales.orders.confirm.mutate({ orderId: order.id });
  // A backorder's age counts from the shipment that left it behind.
  const shipped = await admin.orders.ship.mutate({ orderId: order.id });
  expect(shipped.order.lines[0]!.backorderedQty).toBe(5);
  return order.id;
}

const byId = (page: Page, id: string) => page.locator(`[data-testid="alert-row"][data-alert-id="${id}"]`);

test('a new backorder alert arrives live, is acknowledged and resolved with who and when', async ({ page, world }, testInfo) => {
  await loginAs(page, 'planner');
  await page.goto('/alerts');
  await expect(page.getByRole('heading', { name: 'Alerts', level: 1 })).toBeVisible();
  await expect(page.getByTestId('connection-indicator')).toHaveAttribute('data-state', 'connected');
  await expect(page.getByTestId('freshness')).toContainText(/Updated/);
  // Proof that nothing below reloads the page.
  await page.evaluate(() => ((window as unknown as { stillHere: boolean }).stillHere = true));

  const orderId = await backorderAtC(world);
  const row = page.getByTestId('alert-row').filter({ hasText: `(order ${orderId} line 1)` });
  await expect(row).toHaveCount(1, { timeout: 20_000 });
  await expect(row).toHaveAttribute('data-new', 'true');
  await expect(row).toContainText('Backorder aging');
  await expect(row).toContainText('C'); // the warehouse column
  await expect(page.getByTestId('new-alerts')).toHaveText(/\d+ new/);
  expect(await page.evaluate(() => (window as unknown as { stillHere?: boolean }).stillHere)).toBe(true);
  const alertId = (await row.getAttribute('data-alert-id'))!;
  await page.screenshot({ path: testInfo.outputPath('alerts.png'), fullPage: true });

  const admin = await apiFor(world, 'admin');
  await row.getByRole('button', { name: 'Acknowledge' }).click();
  const acked = byId(page, alertId);
  await expect(acked.getByTestId('alert-status')).toContainText('Acknowledged by Planner User');
  const stored = await admin.alerts.get.query({ alertId: Number(alertId) });
  expect(stored.state).toBe('acknowledged');
  await expect(acked.getByTestId('alert-status').locator('time')).toHaveAttribute('datetime', stored.acknowledgedAt!);
  await expect(acked.getByRole('button', { name: 'Acknowledge' })).toHaveCount(0);

  // Marking the new ones seen clears their mark. Other detectors may raise alerts of their own
  // meanwhile (C has just sold out): those arrive new after the click, and only they are counted.
  const newRows = page.locator('[data-testid="alert-row"][data-new="true"]');
  const seenIds = await newRows.evaluateAll((rows) => rows.map((r) => r.getAttribute('data-alert-id')!));
  expect(seenIds).toContain(alertId);
  await page.getByTestId('new-alerts').click();
  for (const id of seenIds) await expect(byId(page, id)).not.toHaveAttribute('data-new', 'true');
  await expect
    .poll(async () => {
      const badge = page.getByTestId('new-alerts');
      const counted = (await badge.count()) === 0 ? 0 : Number((await badge.innerText()).replace(/\D/g, ''));
      return counted === (await newRows.count());
    }, { message: 'the badge counts only the alerts that arrived after the click' })
    .toBe(true);

  await acked.getByRole('button', { name: 'Resolve…' }).click();
  await acked.getByLabel('Resolution note (optional)').fill('Customer agreed to take the rest next week');
  await acked.getByRole('button', { name: 'Resolve alert' }).click();
  await expect(byId(page, alertId)).toHaveCount(0);

  await page.getByLabel('State').selectOption('resolved');
  const resolved = byId(page, alertId);
  await expect(resolved.getByTestId('alert-status')).toContainText('Resolved by Planner User');
  await expect(resolved).toContainText('Customer agreed to take the rest next week');
  await expect(resolved.getByTestId('alert-status')).toContainText('Acknowledged by Planner User');
  await expect(resolved.getByRole('button')).toHaveCount(0);
  const after = await admin.alerts.get.query({ alertId: Number(alertId) });
  expect(after).toMatchObject({ state: 'resolved', resolution: 'Customer agreed to take the rest next week' });
  await expect(resolved.getByTestId('alert-status').locator(`time[datetime="${after.resolvedAt}"]`)).toHaveCount(1);
  expect(await page.evaluate(() => (window as unknown as { stillHere?: boolean }).stillHere)).toBe(true);
});

test('the resolved filter reads resolved alerts through the API, narrowed by kind and warehouse', async ({ page, world }) => {
  const admin = await apiFor(world, 'admin');
  const C = world.warehouses.C;
  // One of our own to find: a backorder alert at C (the world's or a new one), resolved through the API.
  const list = () => admin.alerts.list.query({ state: ['open', 'acknowledged'], kind: ['backorder_aging'], warehouseId: C, limit: 1 });
  let [open] = await list();
  if (!open) {
    await backorderAtC(world);
    await expect.poll(async () => (await list()).length, { timeout: 20_000 }).toBe(1);
    [open] = await list();
  }
  await admin.alerts.resolve.mutate({ alertId: open!.id, resolution: 'Handled by phone' });

  await loginAs(page, 'admin');
  await page.goto('/alerts');
  await expect(page.getByTestId('connection-indicator')).toHaveAttribute('data-state', 'connected');
  await expect(byId(page, String(open!.id))).toHaveCount(0);
  await page.getByLabel('State').selectOption('resolved');
  await page.getByLabel('Kind').selectOption('backorder_aging');
  await page.getByLabel('Warehouse').selectOption(String(C));
  const row = byId(page, String(open!.id));
  await expect(row.getByTestId('alert-status')).toContainText('Resolved by Admin');
  await expect(row).toContainText('Handled by phone');
  const rows = page.getByTestId('alert-row');
  for (const state of await rows.evaluateAll((els) => els.map((e) => e.getAttribute('data-state')))) expect(state).toBe('resolved');
  await expect(rows.filter({ hasNotText: 'Backorder aging' })).toHaveCount(0);
  await page.getByLabel('Warehouse').selectOption(String(world.warehouses.A));
  await expect(row).toHaveCount(0);
});

test('a viewer sees the alerts but no acknowledge or resolve buttons', async ({ page, world }) => {
  await loginAs(page, 'viewer');
  await page.goto('/alerts');
  await expect(page.getByTestId('alert-row').first()).toBeVisible({ timeout: 15_000 });
  await expect(page.getByTestId('alert-row').filter({ hasText: 'Backorder aging' }).first()).toBeVisible();
  await expect(page.getByRole('button', { name: 'Acknowledge' })).toHaveCount(0);
  await expect(page.getByRole('button', { name: /Resolve/ })).toHaveCount(0);
  // The API agrees: the buttons are hidden because the call would be refused.
  const viewer = await apiFor(world, 'viewer');
  const [open] = await viewer.alerts.list.query({ state: ['open', 'acknowledged'], limit: 1 });
  await expect(viewer.alerts.acknowledge.mutate({ alertId: open!.id })).rejects.toThrow(/may not/);
});
