import { apiFor, expect, loginAs, test } from './support/fixtures';
import { day, int } from './support/formats';

test.use({ locale: 'en-US' });

test('a transfer A→B from request to receipt: field error first, approve, ship into transit, receive with a shortage', async ({ page, world }, testInfo) => {
  const hmr = world.products.find((p) => p.sku === 'HMR-300')!;
  const { A, B } = world.warehouses;
  const planner = await apiFor(world, 'planner');
  const existing = (await planner.transfers.list.query({ limit: 500 })).map((t) => t.id);

  await loginAs(page, 'planner');
  await page.goto('/ops/transfers');
  const form = page.getByRole('region', { name: 'Request a transfer' });
  await form.getByLabel('From', { exact: true }).selectOption({ label: 'A · Central DC' });
  await form.getByLabel('To', { exact: true }).selectOption({ label: 'B · Branch B' });
  await expect(form.getByTestId('lane-info')).toContainText('Lane A → B: 2 days in transit');
  await form.getByLabel('Product, line 1').fill('HMR-300');
  await expect(form.locator('#transfer-line-1-product-picked')).toHaveText('Claw hammer');

  // An invalid quantity: the API's schema says why next to the field, and nothing is sent.
  await form.getByLabel('Quantity, line 1').fill('0');
  await form.getByRole('button', { name: 'Request transfer' }).click();
  await expect(form.locator('[data-field-error="lines.0.qty"]')).toHaveText('must be at least 1');
  await expect(form.getByTestId('form-error')).toContainText('Nothing was requested');
  await expect(page).toHaveURL(/\/ops\/transfers$/);
  expect((await planner.transfers.list.query({ limit: 500 })).map((t) => t.id)).toEqual(existing);
  await page.screenshot({ path: testInfo.outputPath('transfers.png'), fullPage: true });

  await form.getByLabel('Quantity, line 1').fill('7');
  await form.getByRole('button', { name: 'Request transfer' }).click();
  await expect(page).toHaveURL(/\/ops\/transfers\/\d+$/);
  const id = Number(new URL(page.url()).pathname.split('/').pop());
  expect(existing).not.toContain(id);
  const requested = await planner.transfers.get.query({ transferId: id });
  expect(requested).toMatchObject({ fromWarehouseId: A, toWarehouseId: B, state: 'requested' });
  expect(requested.lines).toMatchObject([{ productId: hmr.id, qty: 7 }]);
  await expect(page.getByTestId('expected-arrival')).toHaveText(day(requested.expectedArrival));

  await page.getByRole('button', { name: 'Approve' }).click();
  await expect(page.locator('h1 [data-state]')).toHaveAttribute('data-state', 'approved');
  expect((await planner.transfers.get.query({ transferId: id })).state).toBe('approved');
  // The planner may not ship: that is the source warehouse's job.
  await expect(page.getByRole('button', { name: 'Ship transfer' })).toHaveCount(0);

  // The warehouse lead at A ships it: the units are in transit to B.
  const inTransitBefore = (await planner.stock.levels.query({ warehouseId: B, productIds: [hmr.id] }))[0]?.inTransit ?? 0;
  await page.context().clearCookies();
  await loginAs(page, 'warehouse');
  await page.goto(`/ops/transfers/${id}`);
  await expect(page.getByRole('button', { name: 'Approve' })).toHaveCount(0);
  await page.getByRole('button', { name: 'Ship transfer' }).click();
  await expect(page.locator('h1 [data-state]')).toHaveAttribute('data-state', 'shipped');
  await expect(page.getByTestId('transfer-line-HMR-300').locator('[data-field=inTransit]')).toHaveText('7');
  // A lead at A cannot receive at B: no receipt form.
  await expect(page.getByRole('button', { name: 'Post receipt' })).toHaveCount(0);

  await page.goto('/ops/stock?sku=HMR-300');
  const levelsB = (await planner.stock.levels.query({ warehouseId: B, productIds: [hmr.id] }))[0]!;
  expect(levelsB.inTransit).toBe(inTransitBefore + 7);
  await expect(page.getByTestId('levels-B').locator('[data-field=inTransit]')).toHaveText(int.format(levelsB.inTransit));

  // Receipt at B needs B's lead or an admin.
  await page.context().clearCookies();
  await loginAs(page, 'admin');
  await page.goto(`/ops/transfers/${id}`);
  const receive = page.getByRole('region', { name: 'Receive', exact: true });
  await receive.getByLabel('Received HMR-300').fill('5');
  await receive.getByLabel('Short HMR-300').fill('1');
  await receive.getByRole('button', { name: 'Post receipt' }).click();
  // The server's check (received + short + damaged = shipped) comes back next to the line.
  await expect(receive.locator('[data-field-error="lines.0.receivedQty"]')).toContainText('must equal the 7 shipped');
  await expect(receive.getByTestId('form-error')).toContainText('does not account for what was shipped');
  expect((await planner.transfers.get.query({ transferId: id })).state).toBe('shipped');

  await receive.getByLabel('Short HMR-300').fill('2');
  await receive.getByRole('button', { name: 'Post receipt' }).click();
  await expect(page.locator('h1 [data-state]')).toHaveAttribute('data-state', 'received');
  const line = page.getByTestId('transfer-line-HMR-300');
  await expect(line.locator('[data-field=receivedQty]')).toHaveText('5');
  await expect(line.locator('[data-field=shortQty]')).toHaveText('2');
  await expect(line.locator('[data-field=inTransit]')).toHaveText('0');
  await expect(page.getByTestId('form-ok')).toContainText('5 into stock, 2 short, 0 damaged');
  const received = await planner.transfers.get.query({ transferId: id });
  expect(received.state).toBe('received');
  expect(received.lines).toMatchObject([{ shippedQty: 7, receivedQty: 5, shortQty: 2, damagedQty: 0 }]);
  await page.screenshot({ path: testInfo.outputPath('transfer-detail.png'), fullPage: true });

  await page.goto(`/ops/transfers?warehouse=${B}&state=received`);
  await expect(page.getByTestId(`transfer-row-${id}`)).toContainText('A → B');
});

test('a requested transfer can be cancelled before it ships', async ({ page, world }) => {
  const planner = await apiFor(world, 'planner');
  const tap = world.products.find((p) => p.sku === 'TAP-600')!;
  const t = await planner.transfers.request.mutate({ fromWarehouseId: world.warehouses.A, toWarehouseId: world.warehouses.C, lines: [{ productId: tap.id, qty: 3 }] });
  await loginAs(page, 'planner');
  await page.goto(`/ops/transfers/${t.id}`);
  await expect(page.getByTestId('expected-arrival')).toHaveText(day(t.expectedArrival));
  await page.getByRole('button', { name: 'Cancel transfer' }).click();
  await expect(page.locator('h1 [data-state]')).toHaveAttribute('data-state', 'cancelled');
  await expect(page.getByRole('button', { name: 'Approve' })).toHaveCount(0);
  expect((await planner.transfers.get.query({ transferId: t.id })).state).toBe('cancelled');
});
