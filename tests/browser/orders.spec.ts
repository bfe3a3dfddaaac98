import type { Browser, Page } from '@playwright/test';
import type { Role } from '../../schemas/api/roles';
import { apiFor, expect, loginAs, test } from './support/fixtures';

/**
 * Sales-order screens: entry with the API's own validation, confirm, a partial
 * shipment by the warehouse lead, cancelling the rest, and who sees which buttons.
 */

async function pageAs(browser: Browser, role: Role): Promise<Page> {
  const page = await (await browser.newContext()).newPage();
  await loginAs(page, role);
  return page;
}

const line = (page: Page, no: number) => page.locator(`[data-testid="order-line"][data-line-no="${no}"]`);
const cell = (page: Page, no: number, col: string) => line(page, no).locator(`[data-col="${col}"]`);

async function expectLine(page: Page, no: number, q: Record<string, number>) {
  for (const [col, value] of Object.entries(q)) await expect(cell(page, no, col), `line ${no} ${col}`).toHaveText(String(value));
}

test('sales enters and confirms an order, the warehouse ships part of it, sales cancels the rest', async ({ page, browser, world }, testInfo) => {
  test.setTimeout(90_000);
  const salesApi = await apiFor(world, 'sales');
  const newest = async () => (await salesApi.orders.list.query({ customerId: world.customer, limit: 1 }))[0]?.id ?? 0;
  const before = await newest();

  await test.step('the form checks with the API schema and creates nothing while a line is invalid', async () => {
    await loginAs(page, 'sales');
    await page.goto('/ops/orders');
    await page.getByRole('link', { name: 'New order' }).click();
    await expect(page.getByRole('button', { name: 'Create order' })).toBeEnabled(); // hydrated: what we type stays
    await page.getByLabel('Customer', { exact: true }).selectOption(String(world.customer));
    await page.getByLabel('Warehouse', { exact: true }).selectOption(String(world.warehouses.A));
    await page.getByLabel('Line 1 product', { exact: true }).selectOption(String(world.products[0]!.id));
    await page.getByLabel('Line 1 quantity').fill('0');
    await page.getByRole('button', { name: 'Add line' }).click();
    // The product search asks the catalogue; a single match is taken.
    await page.getByLabel('Search line 2 product').fill('SAW-200');
    await expect(page.getByLabel('Line 2 product', { exact: true })).toHaveValue(String(world.products[1]!.id));
    await page.getByLabel('Line 2 quantity').fill('5');
    await page.getByRole('button', { name: 'Create order' }).click();
    await expect(page.locator('[data-field-error="lines.0.qty"]')).toHaveText('Quantity must be at least 1');
    await expect(page.locator('[data-field-error="lines.1.qty"]')).toHaveCount(0);
    await expect(page).toHaveURL(/\/ops\/orders\/new$/);
    expect(await newest()).toBe(before);
  });

  let orderId = 0;
  await test.step('a valid order is created as a draft and confirmed: reserved and promised', async () => {
    await page.getByLabel('Line 1 quantity').fill('10');
    await page.getByRole('button', { name: 'Create order' }).click();
    await expect(page).toHaveURL(/\/ops\/orders\/\d+$/);
    orderId = Number(/(\d+)$/.exec(page.url())![1]);
    expect(orderId).toBeGreaterThan(before);
    await expect(page.getByTestId('order-state')).toHaveText('Draft');
    await page.getByRole('button', { name: 'Confirm order' }).click();
    await expect(page.getByTestId('order-state')).toHaveText('Confirmed');
    await expectLine(page, 1, { ordered: 10, reserved: 10, shipped: 0, backordered: 10 });
    await expectLine(page, 2, { ordered: 5, reserved: 5, shipped: 0, backordered: 5 });
    await expect(page.getByTestId('promised-date')).not.toHaveText('–');
    // Sales does not ship.
    await expect(page.getByRole('button', { name: 'Ship quantities' })).toHaveCount(0);
  });

  await test.step('the warehouse lead ships 4 of line 1; a refused quantity shows the server’s reason', async () => {
    const lead = await pageAs(browser, 'warehouse');
    await lead.goto(`/ops/orders/${orderId}`);
    await expect(lead.getByRole('button', { name: 'Ship quantities' })).toBeEnabled();
    await expect(lead.getByRole('button', { name: 'Confirm order' })).toHaveCount(0);
    await expect(lead.getByRole('button', { name: /Cancel/ })).toHaveCount(0);
    await lead.getByLabel('Ship quantity, line 1').fill('999');
    await lead.getByRole('button', { name: 'Ship quantities' }).click();
    await expect(lead.getByTestId('order-error')).toContainText('cannot pick 999');
    await expect(lead.getByTestId('shipment-row')).toHaveCount(0);
    await lead.getByLabel('Ship quantity, line 1').fill('4');
    await lead.getByRole('button', { name: 'Ship quantities' }).click();
    await expectLine(lead, 1, { ordered: 10, reserved: 6, shipped: 4, backordered: 6, cancelled: 0 });
    await expectLine(lead, 2, { ordered: 5, reserved: 5, shipped: 0, backordered: 5 });
    await expect(lead.getByTestId('order-error')).toHaveCount(0);
    await expect(lead.getByTestId('shipment-row')).toHaveCount(1);
    await expect(lead.getByTestId('shipment-row')).toContainText('line 1 × 4');
    await expect(lead.getByTestId('shipment-row')).toContainText('shipped');
    await expect(lead.getByTestId('invoice-row')).toHaveCount(1);
    await lead.context().close();
  });

  await test.step('sales cancels the rest of line 1, then the order: it closes as done', async () => {
    await page.reload();
    await expectLine(page, 1, { shipped: 4, backordered: 6 });
    await line(page, 1).getByRole('button', { name: 'Cancel rest' }).click();
    await line(page, 1).getByRole('button', { name: 'Yes, cancel line' }).click();
    await expectLine(page, 1, { ordered: 10, reserved: 0, shipped: 4, backordered: 0, cancelled: 6 });
    await expect(page.getByTestId('order-state')).toHaveText('Confirmed');
    await page.getByRole('button', { name: 'Cancel order' }).click();
    await page.getByRole('button', { name: 'Yes, cancel order' }).click();
    await expect(page.getByTestId('order-state')).toHaveText('Done');
    await expectLine(page, 2, { shipped: 0, backordered: 0, cancelled: 5 });
    await expect(page.getByRole('button', { name: /Cancel|Confirm|Ship/ })).toHaveCount(0);
    const stored = await salesApi.orders.get.query({ orderId });
    expect(stored.lines.map((l) => [l.shippedQty, l.backorderedQty, l.cancelledQty])).toEqual([
      [4, 0, 6],
      [0, 0, 5]
    ]);
    await page.screenshot({ path: testInfo.outputPath('orders.png'), fullPage: true });
  });

  await test.step('the list filters by state and warehouse', async () => {
    await page.goto('/ops/orders');
    await page.getByLabel('State').selectOption('done');
    await page.getByLabel('Warehouse').selectOption(String(world.warehouses.A));
    await page.getByRole('button', { name: 'Apply' }).click();
    await expect(page).toHaveURL(/state=done/);
    await expect(page.locator(`[data-testid="order-row"][data-order-id="${orderId}"]`)).toContainText('Done');
    await expect(page.getByTestId('order-row').filter({ hasNotText: 'Done' })).toHaveCount(0);
    await page.getByLabel('State').selectOption('cancelled');
    await page.getByRole('button', { name: 'Apply' }).click();
    await expect(page.locator(`[data-testid="order-row"][data-order-id="${orderId}"]`)).toHaveCount(0);
  });

  await test.step('read-only roles see the order without action buttons; a viewer does not get the page', async () => {
    const executive = await pageAs(browser, 'executive');
    await executive.goto(`/ops/orders/${orderId}`);
    await expect(cell(executive, 1, 'shipped')).toHaveText('4');
    await expect(executive.getByTestId('order-actions').getByRole('button')).toHaveCount(0);
    await expect(executive.getByRole('button', { name: /Cancel|Confirm|Ship|Approve|Reject/ })).toHaveCount(0);
    await executive.context().close();
    const viewer = await pageAs(browser, 'viewer');
    const answer = await viewer.goto(`/ops/orders/${orderId}`);
    expect(answer?.status()).toBe(403);
    await viewer.context().close();
  });
});

test('an order over the discount limit waits for approval, and an approver releases it', async ({ page, browser, world }) => {
  const salesApi = await apiFor(world, 'sales');
  const draft = await salesApi.orders.create.mutate({ customerId: world.customer, warehouseId: world.warehouses.A, discountBp: 1500, lines: [{ productId: world.products[2]!.id, qty: 2 }] });
  await loginAs(page, 'sales');
  await page.goto(`/ops/orders/${draft.id}`);
  await page.getByRole('button', { name: 'Confirm order' }).click();
  await expect(page.getByTestId('order-state')).toHaveText('Awaiting approval');
  await expect(page.getByRole('status').filter({ hasText: 'Waits for approval' })).toContainText(/discount/i);
  await expect(page.getByRole('button', { name: 'Approve' })).toHaveCount(0);
  await expectLine(page, 1, { reserved: 0, backordered: 2 });

  const finance = await pageAs(browser, 'finance');
  await finance.goto(`/ops/orders/${draft.id}`);
  await finance.getByRole('button', { name: 'Approve' }).click();
  await expect(finance.getByTestId('order-state')).toHaveText('Confirmed');
  await expectLine(finance, 1, { reserved: 2 });
  await expect(finance.getByRole('button', { name: /Cancel|Confirm|Ship/ })).toHaveCount(0);
  await finance.context().close();
});
