import { apiFor, expect, loginAs, test } from './support/fixtures';
import { day, int } from './support/formats';

test.use({ locale: 'en-US' });

const FIELDS = ['onHand', 'reserved', 'available', 'qualityHold', 'damaged', 'inTransit', 'incoming', 'outgoing', 'forecast'] as const;

test('stock lookup: DRL-100 per warehouse as the ledger has it, and ATP beyond one warehouse points to the network', async ({ page, world }, testInfo) => {
  const drl = world.products.find((p) => p.sku === 'DRL-100')!;
  const api = await apiFor(world, 'viewer');
  await loginAs(page, 'viewer');
  await page.goto('/ops/stock');

  await page.getByLabel('Product (SKU)').fill('drl-100');
  await expect(page.locator('#stock-sku-picked')).toHaveText('Cordless drill');
  await page.getByRole('button', { name: 'Look up' }).click();
  await expect(page).toHaveURL(/\?sku=drl-100/);
  await expect(page.getByRole('heading', { name: 'DRL-100 · Cordless drill' })).toBeVisible();

  // The page reads the same ledger as stock.levels: every figure of every warehouse matches.
  const levels = await api.stock.levels.query({ productIds: [drl.id] });
  for (const code of ['A', 'B', 'C'] as const) {
    const level = levels.find((l) => l.warehouseId === world.warehouses[code])!;
    expect(level, `DRL-100 has a balance at ${code}`).toBeDefined();
    const row = page.getByTestId(`levels-${code}`);
    for (const f of FIELDS) await expect(row.locator(`[data-field=${f}]`), `${code} ${f}`).toHaveText(int.format(level[f]));
  }
  // The world opened A 100, B 20, C 8 and shipped 5 from A: what has moved since only lowers A or moves stock around.
  const at = (code: 'A' | 'B' | 'C') => levels.find((l) => l.warehouseId === world.warehouses[code])!;
  expect(at('A').onHand).toBeLessThanOrEqual(95);
  const total = levels.reduce((s, l) => s + l.onHand, 0);
  await expect(page.getByTestId('levels-total').locator('[data-field=onHand]')).toHaveText(int.format(total));

  // ATP: a quantity above what B can give now.
  const atB = await api.stock.atp.query({ productId: drl.id, warehouseId: world.warehouses.B, qty: 1 });
  const qty = atB.home.available + 1;
  const atp = page.getByRole('region', { name: 'Available to promise' });
  await atp.getByLabel('Ship from').selectOption({ label: 'B · Branch B' });
  await atp.getByLabel('Quantity').fill('0');
  await atp.getByRole('button', { name: 'Check' }).click();
  await expect(atp.locator('[data-field-error="qty"]')).toHaveText('must be at least 1');

  await atp.getByLabel('Quantity').fill(String(qty));
  await atp.getByRole('button', { name: 'Check' }).click();
  const expected = await api.stock.atp.query({ productId: drl.id, warehouseId: world.warehouses.B, qty });
  expect(expected.home.canShipNow).toBe(false);
  const home = page.getByTestId('atp-home');
  await expect(home).toHaveAttribute('data-can-ship-now', 'false');
  await expect(home).toContainText(`B cannot ship ${int.format(qty)} now.`);
  await expect(page.getByTestId('atp-home-date')).toHaveText(expected.home.earliestDate ? day(expected.home.earliestDate) : 'no scheduled inbound covers it');

  // The network: A (same region) can ship it now; C is in another region and is not offered.
  const a = expected.network.find((w) => w.code === 'A')!;
  expect(a.canShipNow).toBe(true);
  const rowA = page.getByTestId('atp-network-A');
  await expect(rowA.locator('[data-field=canShipNow]')).toHaveText('yes');
  await expect(rowA.locator('[data-field=available]')).toHaveText(int.format(a.available));
  await expect(page.getByTestId('atp-network-C')).toHaveCount(0);
  await expect(page.getByTestId('atp-alternative')).toContainText(`Alternative: A · Central DC can ship ${int.format(qty)} now`);

  await page.screenshot({ path: testInfo.outputPath('stock.png'), fullPage: true });
});

test('stock lookup by part of a name lists the matching products', async ({ page }) => {
  await loginAs(page, 'sales');
  await page.goto('/ops/stock?sku=paint');
  await expect(page.getByText('No product has the SKU “paint”.')).toBeVisible();
  await page.getByRole('link', { name: 'PNT-400' }).click();
  await expect(page.getByRole('heading', { name: 'PNT-400 · Wall paint 10 l' })).toBeVisible();
  await expect(page.getByTestId('levels-A')).toBeVisible();
});
