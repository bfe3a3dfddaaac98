import type { Locator, Page } from '@playwright/test';
import { apiFor, expect, loginAs, test } from './support/fixtures';
import type { World } from './support/world';

/**
 * The planner: the stock-at-risk table (sorting, filters, SKU search) and the
 * product drill-down (balances, projection, suggested action that creates the
 * document). The test network has no risk of its own to speak of, so two
 * products of this spec are put at risk through the API first:
 * - a power tool ("tool") runs short at branch B (shipped 18 of its 20): A, in the
 *   same region, can spare stock → the suggestion is a transfer A → B;
 * - a primer runs out at branch C (shipped all 8), alone in its region, with a
 *   reorder rule (min 10, max 50, multiple 5) → the suggestion is to buy 50.
 */

interface Scenario {
  tool: { id: number; sku: string };
  primer: { id: number; sku: string };
}

let arranged: Promise<Scenario> | undefined;

function scenario(world: World): Promise<Scenario> {
  arranged ??= arrange(world);
  return arranged;
}

async function arrange(world: World): Promise<Scenario> {
  const api = await apiFor(world, 'admin');
  const tag = Date.now().toString(36).toUpperCase().slice(-5);
  const tool = await api.catalog.products.create.mutate({ sku: `PLN-${tag}-DRV`, name: 'Impact driver 18 V', category: 'power tools', abcClass: 'A', costMinor: 6_000, priceMinor: 11_900 });
  const primer = await api.catalog.products.create.mutate({ sku: `PLN-${tag}-PRM`, name: 'Primer 5 l', category: 'primers', abcClass: 'B', costMinor: 1_500, priceMinor: 3_200 });
  for (const p of [tool, primer]) {
    await api.catalog.supplierProducts.upsert.mutate({ supplierId: world.supplier, productId: p.id, costMinor: p.costMinor, leadTimeDays: 5, moq: 10, packMultiple: 5 });
  }
  const rule = { minQty: 40, maxQty: 120, safetyStock: 0, multiple: 5, leadTimeDays: 5, sourceSupplierId: world.supplier };
  await api.catalog.reorderRules.upsert.mutate({ ...rule, productId: tool.id, warehouseId: world.warehouses.A });
  await api.catalog.reorderRules.upsert.mutate({ ...rule, productId: primer.id, warehouseId: world.warehouses.C, minQty: 10, maxQty: 50 });
  const balances = ['warehouse_code,sku,qty'];
  for (const p of [tool, primer]) balances.push(`A,${p.sku},100`, `B,${p.sku},20`, `C,${p.sku},8`);
  await api.catalog.import.mutate({ kind: 'opening_balances', text: balances.join('\n') });
  const ship = async (warehouseId: number, productId: number, qty: number) => {
    const order = await api.orders.create.mutate({ customerId: world.customer, warehouseId, lines: [{ productId, qty }] });
    await api.orders.confirm.mutate({ orderId: order.id });
    await api.orders.ship.mutate({ orderId: order.id });
  };
  await ship(world.warehouses.B, tool.id, 18);
  await ship(world.warehouses.C, primer.id, 8);
  return { tool: { id: tool.id, sku: tool.sku }, primer: { id: primer.id, sku: primer.sku } };
}

const riskRow = (page: Page, sku: string, warehouse: string) => page.locator(`[data-testid="risk-row"][data-sku="${sku}"][data-warehouse="${warehouse}"]`);

/** The values of a column of the visible rows, read from the cells' data-value (raw numbers, not formatted text). */
async function columnValues(page: Page, column: string): Promise<string[]> {
  return page.getByTestId('risk-row').evaluateAll((rows, c) => rows.map((r) => r.querySelector<HTMLElement>(`[data-col="${c}"]`)?.dataset.value ?? '?'), column);
}

/** Numbers in order, the empty (no demand) ones last whichever the direction. */
function isSorted(values: string[], ascending: boolean): boolean {
  const present = values.filter((v) => v !== '').map(Number);
  const firstEmpty = values.indexOf('');
  if (firstEmpty !== -1 && values.slice(firstEmpty).some((v) => v !== '')) return false;
  return present.every((v, i) => i === 0 || (ascending ? present[i - 1]! <= v : present[i - 1]! >= v));
}

async function canvasHasInk(chart: Locator): Promise<boolean> {
  return chart.locator('canvas').first().evaluate((c: HTMLCanvasElement) => {
    const ctx = c.getContext('2d');
    if (!ctx || c.width === 0 || c.height === 0) return false;
    const { data } = ctx.getImageData(0, 0, c.width, c.height);
    let painted = 0;
    for (let i = 3; i < data.length; i += 4) if (data[i]! > 0) painted++;
    return painted > 500;
  });
}

test('the planner sees stock at risk and sorts, filters and searches it', async ({ page, world }, testInfo) => {
  const s = await scenario(world);
  await loginAs(page, 'planner');
  await page.goto('/board/planner');
  await expect(page.getByRole('heading', { name: 'Stock at risk' })).toBeVisible();
  await expect(riskRow(page, s.tool.sku, 'B')).toBeVisible({ timeout: 20_000 });
  await expect(riskRow(page, s.primer.sku, 'C')).toBeVisible({ timeout: 20_000 });
  await expect(page.getByTestId('freshness')).toContainText('Updated');
  const toolRow = riskRow(page, s.tool.sku, 'B');
  await expect(toolRow.locator('[data-col="available"]')).toHaveText('2'); // 20 - 18 shipped
  await expect(toolRow).toContainText('most at A');

  // Sorting: cover ascending by default, then descending; SKU; a quantity by keyboard (largest first).
  const rows = page.getByTestId('risk-row');
  const cover = page.locator('th', { has: page.locator('[data-sort="daysOfCover"]') });
  await expect(cover).toHaveAttribute('aria-sort', 'ascending');
  expect(isSorted(await columnValues(page, 'daysOfCover'), true)).toBe(true);
  await page.locator('[data-sort="daysOfCover"]').click();
  await expect(cover).toHaveAttribute('aria-sort', 'descending');
  expect(isSorted(await columnValues(page, 'daysOfCover'), false)).toBe(true);
  await page.locator('[data-sort="sku"]').click();
  const skus = await rows.evaluateAll((rs) => rs.map((r) => (r as HTMLElement).dataset.sku!));
  expect(skus).toEqual([...skus].sort((a, b) => a.localeCompare(b)));
  await page.locator('[data-sort="available"]').focus();
  await page.keyboard.press('Enter');
  await expect(page.locator('th', { has: page.locator('[data-sort="available"]') })).toHaveAttribute('aria-sort', 'descending');
  expect(isSorted(await columnValues(page, 'available'), false)).toBe(true);

  // Filters, one at a time: every visible row matches, and the arranged rows come and go.
  await page.getByLabel('Warehouse').selectOption({ label: 'B · Branch B' });
  await expect(riskRow(page, s.primer.sku, 'C')).toHaveCount(0);
  await expect(riskRow(page, s.tool.sku, 'B')).toBeVisible();
  expect(new Set(await rows.evaluateAll((rs) => rs.map((r) => (r as HTMLElement).dataset.warehouse)))).toEqual(new Set(['B']));
  await page.getByRole('button', { name: 'Clear filters' }).click();

  await page.getByLabel('Category').selectOption('primers');
  await expect(riskRow(page, s.tool.sku, 'B')).toHaveCount(0);
  await expect(riskRow(page, s.primer.sku, 'C')).toBeVisible();
  expect(new Set(await rows.evaluateAll((rs) => rs.map((r) => (r as HTMLElement).dataset.category)))).toEqual(new Set(['primers']));
  await page.getByRole('button', { name: 'Clear filters' }).click();

  await page.getByLabel('ABC class').selectOption('A');
  await expect(riskRow(page, s.primer.sku, 'C')).toHaveCount(0);
  await expect(riskRow(page, s.tool.sku, 'B')).toBeVisible();
  expect(new Set(await rows.evaluateAll((rs) => rs.map((r) => (r as HTMLElement).dataset.abc)))).toEqual(new Set(['A']));
  await page.getByRole('button', { name: 'Clear filters' }).click();

  await page.getByLabel('Search SKU').fill(s.primer.sku.toLowerCase());
  await expect(rows).toHaveCount(1);
  await expect(rows.first()).toHaveAttribute('data-sku', s.primer.sku);
  await page.getByLabel('Search SKU').fill('');
  await expect(riskRow(page, s.tool.sku, 'B')).toBeVisible();

  await page.screenshot({ path: testInfo.outputPath('planner.png'), fullPage: true });
});

test('a drill-down shows balances and the projection, and its transfer request is created', async ({ page, world }, testInfo) => {
  const s = await scenario(world);
  await loginAs(page, 'planner');
  await page.goto('/board/planner');
  await riskRow(page, s.tool.sku, 'B').getByRole('link', { name: s.tool.sku }).click({ timeout: 20_000 });
  await expect(page).toHaveURL(new RegExp(`/board/planner/${s.tool.id}\\?warehouse=${world.warehouses.B}$`));
  await expect(page.getByRole('heading', { level: 1 })).toContainText(s.tool.sku);

  const balances = page.getByTestId('balance-row');
  expect(await balances.evaluateAll((rs) => rs.map((r) => (r as HTMLElement).dataset.warehouse))).toEqual(expect.arrayContaining(['A', 'B', 'C']));
  const available = (code: string) => page.locator(`[data-testid="balance-row"][data-warehouse="${code}"] [data-col="available"]`);
  await expect(available('A')).toHaveText('100');
  await expect(available('B')).toHaveText('2');
  await expect(available('C')).toHaveText('8');
  await expect(page.locator('[data-testid="balance-row"][data-warehouse="B"]')).toHaveAttribute('aria-current', 'true');

  const projection = page.getByRole('img', { name: /Projected available/ });
  await expect.poll(() => canvasHasInk(projection)).toBe(true);
  await expect(page.getByTestId('projection-summary')).toContainText('Runs out');
  await expect.poll(() => canvasHasInk(page.getByRole('img', { name: /Units shipped per day/ }))).toBe(true);

  const action = page.getByTestId('suggested-action');
  await expect(action).toHaveAttribute('data-kind', 'transfer');
  await expect(action).toContainText('from A to B');
  const qty = Number(await page.getByLabel(/Quantity/).inputValue());
  expect(qty).toBeGreaterThan(0);
  await expect(page.getByTestId('suggested-qty')).toHaveText(String(qty));
  await page.getByRole('button', { name: 'Request transfer' }).click();
  const created = page.getByTestId('created-document');
  await expect(created).toContainText('requested');
  const transferId = Number(await created.getAttribute('data-id'));

  const transfer = await (await apiFor(world, 'admin')).transfers.get.query({ transferId });
  expect(transfer).toMatchObject({ state: 'requested', fromWarehouseId: world.warehouses.A, toWarehouseId: world.warehouses.B });
  expect(transfer.lines.map((l) => ({ productId: l.productId, qty: l.qty }))).toEqual([{ productId: s.tool.id, qty }]);

  // Reloaded with the request: it is listed as proposed and covers the need.
  await expect(page.getByTestId('proposal')).toContainText(`Requested transfer #${transferId}`, { timeout: 10_000 });
  await expect(action).toHaveAttribute('data-kind', 'none');
  await page.screenshot({ path: testInfo.outputPath('planner-product.png'), fullPage: true });
});

test('a planner sees a purchase suggestion without the button to buy', async ({ page, world }) => {
  const s = await scenario(world);
  await loginAs(page, 'planner');
  await page.goto(`/board/planner/${s.primer.id}?warehouse=${world.warehouses.C}`);
  await expect(page.getByTestId('suggested-action')).toHaveAttribute('data-kind', 'buy');
  await expect(page.getByTestId('action-not-allowed')).toBeVisible();
  await expect(page.getByRole('button', { name: 'Create draft PO' })).toHaveCount(0);
});

test("a buyer creates the suggested draft PO from the reorder rule's supplier", async ({ page, world }) => {
  const s = await scenario(world);
  await loginAs(page, 'buyer');
  await page.goto(`/board/planner/${s.primer.id}?warehouse=${world.warehouses.C}`);
  const action = page.getByTestId('suggested-action');
  await expect(action).toHaveAttribute('data-kind', 'buy');
  await expect(page.getByTestId('suggested-qty')).toHaveText('50'); // max 50 - forecast 0, in packs of 5
  await expect(page.locator('[data-testid="balance-row"][data-warehouse="C"] [data-col="available"]')).toHaveText('0');

  // The form checks the quantity with the API's schema before sending.
  const quantity = page.getByLabel(/Quantity/);
  await quantity.fill('0');
  await page.getByRole('button', { name: 'Create draft PO' }).click();
  await expect(action.locator('.field-error')).toContainText('must be at least 1');
  await expect(page.getByTestId('created-document')).toHaveCount(0);

  await quantity.fill('50');
  await page.getByRole('button', { name: 'Create draft PO' }).click();
  const created = page.getByTestId('created-document');
  await expect(created).toContainText('purchase order');
  const purchaseOrderId = Number(await created.getAttribute('data-id'));
  const po = await (await apiFor(world, 'admin')).purchasing.get.query({ purchaseOrderId });
  expect(po).toMatchObject({ state: 'draft', supplierId: world.supplier, warehouseId: world.warehouses.C });
  expect(po.lines.map((l) => ({ productId: l.productId, orderedQty: l.orderedQty }))).toEqual([{ productId: s.primer.id, orderedQty: 50 }]);
  await expect(page.getByTestId('proposal')).toContainText(`Draft purchase order #${purchaseOrderId}`, { timeout: 10_000 });
});

test('a role without the planner gets 403 on its pages', async ({ page, world }) => {
  const s = await scenario(world);
  await loginAs(page, 'sales');
  expect((await page.goto('/board/planner'))?.status()).toBe(403);
  expect((await page.goto(`/board/planner/${s.tool.id}`))?.status()).toBe(403);
});
