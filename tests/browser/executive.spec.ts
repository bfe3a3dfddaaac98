import type { Locator, Page } from '@playwright/test';
import { apiFor, expect, loginAs, test } from './support/fixtures';

/**
 * The executive board: network KPIs from the world's trade, charts that draw,
 * drill-down network -> region -> warehouse with scoped numbers, live updates
 * after an order ships, and the board closed to roles without it.
 */
const BOARD = '/board/executive';

/** The raw figure behind a KPI (data-value), as a number. */
async function valueOf(locator: Locator): Promise<number> {
  const raw = await locator.getAttribute('data-value');
  expect(raw, 'the figure has a value').not.toBe('');
  return Number(raw);
}

/** Non-transparent pixels of every chart's canvas on the page. */
function paintedPixels(page: Page): Promise<number[]> {
  return page.getByTestId('chart').evaluateAll((hosts) =>
    hosts.map((host) => {
      const canvas = host.querySelector('canvas');
      if (!canvas || canvas.width === 0 || canvas.height === 0) return 0;
      const { data } = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height);
      let painted = 0;
      for (let i = 3; i < data.length; i += 4) if (data[i]! > 0) painted += 1;
      return painted;
    })
  );
}

const row = (page: Page, name: string) => page.getByTestId('breakdown-row').filter({ has: page.getByRole('link', { name, exact: true }) });

test('the executive sees the network board: service KPIs, drawn charts, lanes and alerts', async ({ page, world }, testInfo) => {
  // A transfer on the road A -> B, so that transfer health has a lane to show.
  const planner = await apiFor(world, 'planner');
  const lead = await apiFor(world, 'warehouse');
  const transfer = await planner.transfers.request.mutate({ fromWarehouseId: world.warehouses.A, toWarehouseId: world.warehouses.B, lines: [{ productId: world.products[2]!.id, qty: 2 }] });
  await planner.transfers.approve.mutate({ transferId: transfer.id });
  await lead.transfers.ship.mutate({ transferId: transfer.id });

  await loginAs(page, 'executive');
  await page.goto(BOARD);
  await expect(page.getByRole('heading', { level: 1 })).toContainText('Network');

  // The world shipped 3 orders (4 lines) in the last days: 30-day fill rate is a percentage, not a dash.
  const lineFill30 = page.getByTestId('fill-30d-line');
  await expect(lineFill30).toHaveText(/^\d{1,3}([.,]\d)?\s?%$/);
  expect(await valueOf(lineFill30)).toBeGreaterThan(0);
  expect(await valueOf(lineFill30)).toBeLessThanOrEqual(1);
  expect(await valueOf(page.getByTestId('fill-30d-lines'))).toBeGreaterThanOrEqual(4);
  await expect(page.getByTestId('fill-30d-unit')).toHaveText(/%/);
  await expect(page.getByTestId('otif-orders')).toBeVisible();
  // The order at C shipped 8 of 12: at least one backordered line, its units and value.
  expect(await valueOf(page.getByTestId('backorder-lines'))).toBeGreaterThanOrEqual(1);
  expect(await valueOf(page.getByTestId('backorder-units'))).toBeGreaterThanOrEqual(1);
  await expect(page.getByTestId('backorder-value')).not.toHaveText('–');
  await expect(page.getByTestId('stock-at-risk-count')).toHaveText(/^\d+$/);

  const lane = page.getByTestId('lane-row').filter({ hasText: 'A → B' });
  await expect(lane).toBeVisible({ timeout: 10_000 });
  expect(await valueOf(lane.getByTestId('lane-in-transit'))).toBeGreaterThanOrEqual(1);

  // The backorder raises an alert (ALERT_BACKORDER_DAYS=0 here); the ticker shows it with its severity.
  const alert = page.getByTestId('alert-item').first();
  await expect(alert).toBeVisible({ timeout: 20_000 });
  await expect(alert).toHaveAttribute('data-severity', /^(critical|warning|info)$/);

  // Every panel says how fresh it is; every chart (trend, aging, lanes) has drawn on its canvas.
  for (const panel of ['fill-rate', 'fill-trend', 'otif', 'stock-at-risk', 'alert-ticker', 'backorders', 'transfers', 'breakdown']) {
    await expect(page.getByTestId(panel).getByTestId('freshness')).toContainText(/Updated/);
  }
  await expect(page.getByTestId('chart')).toHaveCount(3);
  await expect.poll(async () => (await paintedPixels(page)).every((n) => n > 1000), { timeout: 10_000 }).toBe(true);

  await page.screenshot({ path: testInfo.outputPath('executive.png'), fullPage: true });

  // The light theme re-creates the charts in its palette: they draw again.
  // (The header's switch keeps its first label until a reload: find it by what it is.)
  const themeSwitch = page.getByRole('button', { name: /theme$/ });
  await themeSwitch.click();
  await expect(page.locator('html')).toHaveAttribute('data-theme', 'light');
  await expect.poll(async () => (await paintedPixels(page)).every((n) => n > 1000), { timeout: 10_000 }).toBe(true);
  await page.screenshot({ path: testInfo.outputPath('executive-light.png'), fullPage: true });
  await themeSwitch.click();
  await expect(page.locator('html')).toHaveAttribute('data-theme', 'dark');
});

test('drill-down: network -> region -> warehouse scopes every figure', async ({ page, world }) => {
  await loginAs(page, 'executive');
  await page.goto(BOARD);
  const north = row(page, 'North');
  const south = row(page, 'South');
  await expect(north).toBeVisible();
  const networkUnits = await valueOf(page.getByTestId('backorder-units'));
  const northUnits = await valueOf(north.getByTestId('breakdown-backorder-units'));
  const southUnits = await valueOf(south.getByTestId('breakdown-backorder-units'));
  const networkLines = await valueOf(page.getByTestId('fill-30d-lines'));
  // The backordered order ships from C, in the South: the regions add up to the network.
  expect(southUnits).toBeGreaterThanOrEqual(1);
  expect(northUnits + southUnits).toBe(networkUnits);

  await north.getByRole('link', { name: 'North' }).click();
  await expect(page).toHaveURL(new RegExp(`[?&]region=${world.regions.north}$`));
  await expect(page.getByTestId('scope-title')).toHaveText('North');
  await expect(page.getByTestId('backorder-units')).toHaveAttribute('data-value', String(northUnits));
  await expect(page.getByTestId('breakdown-row')).toHaveCount(2);
  await expect(row(page, 'Central DC')).toBeVisible();
  await expect(row(page, 'Branch C')).toHaveCount(0);

  await row(page, 'Central DC').getByRole('link').click();
  await expect(page).toHaveURL(new RegExp(`[?&]warehouse=${world.warehouses.A}$`));
  await expect(page.getByTestId('scope-title')).toHaveText('Central DC');
  await expect(page.getByTestId('breakdown')).toHaveCount(0);
  // A shipped the world's two North orders (3 lines); the network also counts C's.
  const aLines = await valueOf(page.getByTestId('fill-30d-lines'));
  expect(aLines).toBeGreaterThanOrEqual(3);
  expect(aLines).toBeLessThan(networkLines);

  // Back up through the breadcrumb, then down the South to C: its backorder is there.
  const crumbs = page.getByRole('navigation', { name: 'Breadcrumb' });
  await expect(crumbs.getByRole('link', { name: 'North' })).toBeVisible();
  await crumbs.getByRole('link', { name: 'Network' }).click();
  await expect(page).toHaveURL(new RegExp(`${BOARD}$`));
  await expect(page.getByTestId('scope-title')).toHaveText('Network');
  await row(page, 'South').getByRole('link').click();
  await expect(page.getByTestId('scope-title')).toHaveText('South');
  await expect(page.getByTestId('backorder-units')).toHaveAttribute('data-value', String(southUnits));
  const c = row(page, 'Branch C');
  expect(await valueOf(c.getByTestId('breakdown-backorder-lines'))).toBeGreaterThanOrEqual(1);
  await c.getByRole('link').click();
  await expect(page).toHaveURL(new RegExp(`[?&]warehouse=${world.warehouses.C}$`));
  await expect(page.getByTestId('scope-title')).toHaveText('Branch C');
  await expect(page.getByTestId('backorder-units')).toHaveAttribute('data-value', String(southUnits));
  expect(await valueOf(page.getByTestId('fill-30d-lines'))).toBeLessThan(networkLines);
});

test('an order created and shipped elsewhere moves today’s figures without a reload', async ({ page, world }) => {
  await loginAs(page, 'executive');
  await page.goto(BOARD);
  await expect(page.getByTestId('connection-indicator')).toHaveAttribute('data-state', 'connected');
  const todayLines = page.getByTestId('fill-today-lines');
  const todayUnits = page.getByTestId('fill-today-units');
  const lines = await valueOf(todayLines);
  const units = await valueOf(todayUnits);
  await page.evaluate(() => ((window as unknown as { notReloaded: boolean }).notReloaded = true));

  const sales = await apiFor(world, 'sales');
  const lead = await apiFor(world, 'warehouse');
  const order = await sales.orders.create.mutate({
    customerId: world.customer,
    warehouseId: world.warehouses.A,
    lines: [
      { productId: world.products[0]!.id, qty: 2 },
      { productId: world.products[5]!.id, qty: 3 }
    ]
  });
  await sales.orders.confirm.mutate({ orderId: order.id });
  await lead.orders.ship.mutate({ orderId: order.id });

  await expect(todayLines).toHaveAttribute('data-value', String(lines + 2), { timeout: 10_000 });
  await expect(todayUnits).toHaveAttribute('data-value', String(units + 5), { timeout: 10_000 });
  await expect(page.getByTestId('fill-today-line')).toHaveText(/%/);
  expect(await page.evaluate(() => (window as unknown as { notReloaded?: boolean }).notReloaded)).toBe(true);
});

for (const role of ['sales', 'warehouse'] as const) {
  test(`the ${role} role gets 403 on the executive board`, async ({ page }) => {
    await loginAs(page, role);
    const response = await page.goto(BOARD);
    expect(response?.status()).toBe(403);
    await expect(page.getByTestId('fill-rate')).toHaveCount(0);
  });
}
