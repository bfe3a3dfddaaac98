import { apiFor, expect, loginAs, test } from './support/fixtures';
import { int } from './support/formats';

test.use({ locale: 'en-US' });

test('reorder at A to a sent PO, a partial receipt with rejects into quality hold, an over-receipt refused', async ({ page, world }, testInfo) => {
  const A = world.warehouses.A;
  const admin = await apiFor(world, 'admin');
  const buyer = await apiFor(world, 'buyer');

  // Arrange: ship enough of one product at A that its forecast falls to 25, below the rule's minimum of 40.
  // The product is one no draft PO covers yet (other specs share this server).
  const drafts = await admin.purchasing.list.query({ warehouseId: A, state: 'draft', limit: 500 });
  const covered = new Set((await Promise.all(drafts.map((d) => admin.purchasing.get.query({ purchaseOrderId: d.id })))).flatMap((d) => d.lines.map((l) => l.productId)));
  const levels = await admin.stock.levels.query({ warehouseId: A });
  const candidates = world.products
    .filter((p) => !covered.has(p.id))
    .map((p) => ({ p, l: levels.find((l) => l.productId === p.id)! }))
    .filter(({ l }) => l && l.forecast > 25 && l.available >= l.forecast - 25)
    .sort((x, y) => y.l.available - x.l.available);
  expect(candidates.length, 'a world product with stock to ship at A').toBeGreaterThan(0);
  const { p: product, l: level } = candidates[0]!;
  const order = await admin.orders.create.mutate({ customerId: world.customer, warehouseId: A, lines: [{ productId: product.id, qty: level.forecast - 25 }] });
  await admin.orders.confirm.mutate({ orderId: order.id });
  await admin.orders.ship.mutate({ orderId: order.id });

  // The buyer runs the suggestions for A, then creates the draft POs.
  await loginAs(page, 'buyer');
  await page.goto('/ops/purchasing');
  const reorder = page.getByRole('region', { name: 'Reorder suggestions' });
  await reorder.getByLabel('Warehouse').selectOption({ label: 'A · Central DC' });
  await reorder.getByRole('button', { name: 'Show suggestions' }).click();
  const expected = (await buyer.purchasing.suggestions.query({ warehouseId: A })).find((s) => s.productId === product.id);
  expect(expected, `${product.sku} is suggested at A`).toBeDefined();
  const row = reorder.getByTestId(`suggestion-${product.sku}`);
  await expect(row.locator('[data-field=proposedQty]')).toHaveText(int.format(expected!.proposedQty));
  await expect(row).toContainText('buy from SUP-1');
  await page.screenshot({ path: testInfo.outputPath('purchasing.png'), fullPage: true });

  await reorder.getByRole('button', { name: 'Create draft POs' }).click();
  const created = reorder.getByTestId('reorder-created');
  await expect(created).toContainText('Created');
  const ids = (await created.getByRole('link').evaluateAll((links) => links.map((a) => a.getAttribute('href') ?? ''))).map((h) => Number(/\/ops\/purchasing\/(\d+)$/.exec(h)?.[1]));
  const pos = await Promise.all(ids.filter(Number.isFinite).map((id) => buyer.purchasing.get.query({ purchaseOrderId: id })));
  const po = pos.find((x) => x.lines.some((l) => l.productId === product.id));
  expect(po, 'a created draft PO orders the product').toBeDefined();
  expect(po!).toMatchObject({ state: 'draft', warehouseId: A, fromReorder: true });
  const line = po!.lines.find((l) => l.productId === product.id)!;
  expect(line.orderedQty).toBe(expected!.proposedQty);
  // What the run proposed is covered now: the suggestion is gone, and the new PO is listed.
  await expect(row).toHaveCount(0);
  await expect(page.getByTestId(`po-row-${po!.id}`)).toContainText('draft');

  await page.getByTestId(`po-row-${po!.id}`).getByRole('link', { name: `PO ${po!.id}` }).click();
  await expect(page.getByRole('heading', { name: `Purchase order ${po!.id}` })).toBeVisible();
  await expect(page.getByRole('button', { name: 'Post receipt' })).toHaveCount(0); // buyers do not receive
  await page.getByRole('button', { name: 'Send to supplier' }).click();
  await expect(page.locator('h1 [data-state]')).toHaveAttribute('data-state', 'sent');
  expect((await buyer.purchasing.get.query({ purchaseOrderId: po!.id })).state).toBe('sent');

  // The warehouse lead at A receives part of it, some rejected.
  const holdBefore = (await admin.stock.levels.query({ warehouseId: A, productIds: [product.id] }))[0]!.qualityHold;
  await page.context().clearCookies();
  await loginAs(page, 'warehouse');
  await page.goto(`/ops/purchasing/${po!.id}`);
  await expect(page.getByRole('button', { name: 'Send to supplier' })).toHaveCount(0);
  const receive = page.getByRole('region', { name: 'Receive a delivery' });
  await receive.getByLabel(`Rejected ${product.sku}`).fill('-1');
  await receive.getByRole('button', { name: 'Post receipt' }).click();
  await expect(receive.locator('[data-field-error$=".rejectedQty"]')).toHaveText('cannot be negative');

  await receive.getByLabel(`Accepted ${product.sku}`).fill('30');
  await receive.getByLabel(`Rejected ${product.sku}`).fill('5');
  await receive.getByRole('button', { name: 'Post receipt' }).click();
  await expect(page.locator('h1 [data-state]')).toHaveAttribute('data-state', 'partially_received');
  const poLine = page.getByTestId(`po-line-${product.sku}`);
  await expect(poLine.locator('[data-field=receivedQty]')).toHaveText('30');
  await expect(poLine.locator('[data-field=rejectedQty]')).toHaveText('5');
  await expect(poLine.locator('[data-field=openQty]')).toHaveText(int.format(line.orderedQty - 35));
  await expect(page.getByTestId('form-ok')).toContainText('30 accepted into stock, 5 rejected into quality hold');
  await page.screenshot({ path: testInfo.outputPath('purchase-order.png'), fullPage: true });

  // More than ordered plus the tolerance: refused, with the server's reason, and nothing changes.
  await receive.getByLabel(`Accepted ${product.sku}`).fill(String(line.orderedQty));
  await receive.getByRole('button', { name: 'Post receipt' }).click();
  await expect(receive.getByTestId('form-error')).toContainText(`over-receipt refused: ${product.sku} would reach ${line.orderedQty + 35} received`);
  const after = await buyer.purchasing.get.query({ purchaseOrderId: po!.id });
  expect(after.state).toBe('partially_received');
  expect(after.lines.find((l) => l.productId === product.id)).toMatchObject({ receivedQty: 30, rejectedQty: 5 });
  expect(after.receipts).toHaveLength(1);

  // The rejected units sit in quality hold at A.
  await page.goto(`/ops/stock?sku=${product.sku}`);
  const hold = (await admin.stock.levels.query({ warehouseId: A, productIds: [product.id] }))[0]!.qualityHold;
  expect(hold).toBe(holdBefore + 5);
  await expect(page.getByTestId('levels-A').locator('[data-field=qualityHold]')).toHaveText(int.format(hold));
});

test('the buyer cancels a draft PO and closes a sent one; other roles get no such buttons', async ({ page, world }) => {
  const buyer = await apiFor(world, 'buyer');
  const tap = world.products.find((p) => p.sku === 'TAP-600')!;
  const order = { supplierId: world.supplier, warehouseId: world.warehouses.B, lines: [{ productId: tap.id, qty: 10 }] };
  const draft = await buyer.purchasing.create.mutate(order);
  const sent = await buyer.purchasing.create.mutate(order);
  await buyer.purchasing.send.mutate({ purchaseOrderId: sent.id });

  await loginAs(page, 'planner');
  await page.goto(`/ops/purchasing/${draft.id}`);
  await expect(page.locator('h1 [data-state]')).toHaveAttribute('data-state', 'draft');
  await expect(page.getByRole('button', { name: 'Cancel order' })).toHaveCount(0);
  await expect(page.getByRole('button', { name: 'Send to supplier' })).toHaveCount(0);

  await page.context().clearCookies();
  await loginAs(page, 'buyer');
  await page.goto(`/ops/purchasing/${draft.id}`);
  await page.getByRole('button', { name: 'Cancel order' }).click();
  await expect(page.locator('h1 [data-state]')).toHaveAttribute('data-state', 'cancelled');
  expect((await buyer.purchasing.get.query({ purchaseOrderId: draft.id })).state).toBe('cancelled');

  await page.goto(`/ops/purchasing/${sent.id}`);
  await expect(page.getByRole('button', { name: 'Cancel order' })).toHaveCount(0);
  await page.getByRole('button', { name: 'Close (expect no more)' }).click();
  await expect(page.locator('h1 [data-state]')).toHaveAttribute('data-state', 'closed');
  await expect(page.getByTestId('po-line-TAP-600').locator('[data-field=openQty]')).toHaveText('0');
  expect((await buyer.purchasing.get.query({ purchaseOrderId: sent.id })).state).toBe('closed');

  await page.goto(`/ops/purchasing?warehouse=${world.warehouses.B}&state=closed`);
  await expect(page.getByTestId(`po-row-${sent.id}`)).toContainText('closed');
  await expect(page.getByTestId(`po-row-${draft.id}`)).toHaveCount(0);
});
