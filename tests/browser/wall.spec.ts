import { io, type Socket } from 'socket.io-client';
import type { Page } from '@playwright/test';
import { apiFor, expect, loginAs, test } from './support/fixtures';
import type { World } from './support/world';

/** A warehouse day (YYYY-MM-DD) in the test network's zone, `offset` days from today. */
const berlinDay = (offset: number) =>
  new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Berlin' }).format(new Date(Date.now() + offset * 86_400_000));

/** Creates a kiosk token on the admin page, through the form, and returns the screen address it shows once. */
async function createKioskThroughUi(page: Page, world: World, label: string): Promise<string> {
  await page.goto('/admin/kiosks');
  await page.getByLabel('Label').fill('   ');
  await page.getByRole('button', { name: 'Create token' }).click();
  await expect(page.getByText('Label is required')).toBeVisible(); // the API's schema, checked before sending
  await page.getByLabel('Warehouse').selectOption(String(world.warehouses.A));
  await page.getByLabel('Label').fill(label);
  await page.getByRole('button', { name: 'Create token' }).click();
  const address = page.getByTestId('kiosk-url');
  await expect(address).toHaveValue(new RegExp(`/wall/${world.warehouses.A}\\?kiosk=[\\w-]{20,}$`));
  await expect(page.getByTestId('kiosk-row').filter({ hasText: label })).toContainText('Active');
  return address.inputValue();
}

/** What a board join over Socket.IO answers for a kiosk token (the same check as the screen's own socket). */
async function joinAs(baseURL: string, kiosk: string, board: string, scope: Record<string, number>): Promise<{ ok: boolean; error?: string }> {
  const socket: Socket = io(baseURL, { transports: ['websocket'], auth: { kiosk }, reconnection: false });
  try {
    return (await socket.timeout(10_000).emitWithAck('board:join', { board, scope })) as { ok: boolean; error?: string };
  } finally {
    socket.close();
  }
}

const currentPanel = (wall: Page) => wall.getByTestId('panel-indicator').locator('[aria-current="step"]');

test('a kiosk wall screen shows its warehouse live, rotates its panels, and is cut off when revoked', async ({ page, browser, world }, testInfo) => {
  test.setTimeout(120_000);
  const A = world.warehouses.A;
  const label = `Dock screen ${Date.now()}`;
  await loginAs(page, 'admin');
  const screenUrl = await createKioskThroughUi(page, world, label);
  const token = new URL(screenUrl).searchParams.get('kiosk')!;

  // A screen nobody signs in to: a fresh browser with the address only.
  const kiosk = await browser.newContext();
  const wall = await kiosk.newPage();
  await wall.goto(screenUrl);
  await expect(wall).toHaveURL(new RegExp(`/wall/${A}$`)); // the token left the address bar
  await expect(wall.getByRole('heading', { level: 1 })).toContainText('Central DC');
  await expect(wall.getByTestId('wall-connection')).toHaveText('LIVE');
  await expect(wall.getByTestId('wall-banner')).toHaveCount(0);

  await test.step('an order confirmed at A appears in the picking queue live, and leaves it when shipped', async () => {
    const sales = await apiFor(world, 'sales');
    const order = await sales.orders.create.mutate({ customerId: world.customer, warehouseId: A, lines: [{ productId: world.products[2]!.id, qty: 3 }] });
    await sales.orders.confirm.mutate({ orderId: order.id });
    await wall.keyboard.press('1');
    const row = wall.getByTestId('picking-row').and(wall.locator(`[data-order-id="${order.id}"]`));
    await expect(row).toBeVisible({ timeout: 10_000 });
    await expect(row).toContainText('Builders Depot');
    await expect(row).toContainText('READY');
    await wall.screenshot({ path: testInfo.outputPath('wall.png'), fullPage: true });
    await (await apiFor(world, 'warehouse')).orders.ship.mutate({ orderId: order.id });
    await expect(row).toHaveCount(0, { timeout: 10_000 });
  });

  await test.step('receipts due and transfers show their rows, late ones marked', async () => {
    const buyer = await apiFor(world, 'buyer');
    const po = await buyer.purchasing.create.mutate({
      supplierId: world.supplier,
      warehouseId: A,
      expectedDate: berlinDay(-2),
      lines: [{ productId: world.products[0]!.id, qty: 20 }]
    });
    await buyer.purchasing.send.mutate({ purchaseOrderId: po.id });
    const admin = await apiFor(world, 'admin');
    const transfer = await admin.transfers.request.mutate({ fromWarehouseId: A, toWarehouseId: world.warehouses.B, lines: [{ productId: world.products[1]!.id, qty: 4 }] });
    await admin.transfers.approve.mutate({ transferId: transfer.id });

    await wall.keyboard.press('2');
    const receipt = wall.locator(`[data-testid="receipt-row"][data-po-id="${po.id}"]`);
    await expect(receipt).toBeVisible({ timeout: 10_000 });
    await expect(receipt).toContainText('OVERDUE');
    await expect(receipt).toContainText('2 days overdue');
    await expect(receipt).toContainText('Acme Supply');

    await wall.keyboard.press('3');
    const out = wall.getByTestId('transfers-out').locator(`[data-transfer-id="${transfer.id}"]`);
    await expect(out).toBeVisible({ timeout: 10_000 });
    await expect(out).toContainText('to B Branch B');
    await expect(out).toContainText('TO SHIP');
    await expect(out).not.toContainText('LATE');
  });

  await test.step('arrow keys move through the four panels; each shows how fresh it is', async () => {
    await wall.keyboard.press('1');
    const titles = ['Picking queue', 'Receipts due', 'Transfers out and in', 'Open alerts'];
    for (const [i, title] of titles.entries()) {
      await expect(currentPanel(wall)).toHaveText(`${i + 1} ${title}`);
      const panel = wall.getByRole('region', { name: title });
      await expect(panel).toBeVisible();
      await expect(wall.getByRole('region')).toHaveCount(1); // one panel on screen at a time
      const badge = panel.getByTestId('freshness');
      await expect(badge).toBeVisible();
      await expect(badge).toHaveAttribute('data-stale', 'false');
      await expect(badge).toContainText(/Updated \d+ s ago/);
      await wall.keyboard.press('ArrowRight');
    }
    await expect(currentPanel(wall)).toHaveText('1 Picking queue'); // wraps around
    await wall.keyboard.press('ArrowLeft');
    await expect(currentPanel(wall)).toHaveText('4 Open alerts');
    await expect(wall.getByRole('region', { name: 'Open alerts' }).getByTestId('wall-summary')).toContainText(/\d+ critical/);
  });

  await test.step('the token opens its own warehouse wall only', async () => {
    expect(await joinAs(world.baseURL, token, 'wall', { warehouseId: A })).toMatchObject({ ok: true });
    expect(await joinAs(world.baseURL, token, 'wall', { warehouseId: world.warehouses.B })).toMatchObject({ ok: false });
    expect(await joinAs(world.baseURL, token, 'executive', {})).toMatchObject({ ok: false });
    const other = await kiosk.newPage();
    const refused = await other.goto(`/wall/${world.warehouses.B}`);
    expect(refused?.status()).toBe(403);
    await expect(other.getByTestId('wall-refused')).toContainText("another warehouse's wall screen");
    const withToken = await other.goto(`/wall/${world.warehouses.B}?kiosk=${encodeURIComponent(token)}`);
    expect(withToken?.status()).toBe(403);
    await other.goto('/board/executive');
    await expect(other).toHaveURL(/\/login/); // a kiosk token is no session
    await other.close();
  });

  await test.step('revoking the token on the admin page cuts the open screen off and refuses the address', async () => {
    await page.reload();
    const row = page.getByTestId('kiosk-row').filter({ hasText: label });
    await expect(row).not.toContainText('never'); // last seen: the screen just used it
    await expect(page.getByTestId('kiosk-url')).toHaveCount(0); // the address was shown once only
    await row.getByRole('button', { name: `Revoke ${label}` }).click();
    await expect(row).toContainText('Revoked');
    await expect(wall.getByTestId('wall-revoked')).toHaveText(/This screen's access was revoked/, { timeout: 10_000 });
    const again = await wall.goto(screenUrl);
    expect(again?.status()).toBe(403);
    await expect(wall.getByTestId('wall-refused')).toContainText('revoked or unknown');
    const byCookie = await wall.goto(`/wall/${A}`);
    expect(byCookie?.status()).toBe(403);
    expect(await joinAs(world.baseURL, token, 'wall', { warehouseId: A })).toMatchObject({ ok: false });
  });
  await kiosk.close();
});

test('panels rotate by themselves', async ({ page, world }) => {
  await loginAs(page, 'admin');
  await page.goto(`/wall/${world.warehouses.A}`);
  await expect(currentPanel(page)).toHaveText('1 Picking queue');
  await expect(page.getByRole('region', { name: 'Picking queue' })).toBeVisible();
  await expect(currentPanel(page)).toHaveText('2 Receipts due', { timeout: 20_000 });
  await expect(page.getByRole('region', { name: 'Receipts due' })).toBeVisible();
  await expect(page.getByRole('region', { name: 'Picking queue' })).toBeHidden();
});

test("a warehouse lead lands on its own warehouse's wall screen, and is refused another's", async ({ page, world }) => {
  await loginAs(page, 'warehouse');
  await page.goto('/wall');
  await expect(page).toHaveURL(new RegExp(`/wall/${world.warehouses.A}$`));
  await expect(page.getByRole('heading', { level: 1 })).toContainText('Central DC');
  await expect(page.getByTestId('wall-connection')).toHaveText('LIVE');
  const refused = await page.goto(`/wall/${world.warehouses.B}`);
  expect(refused?.status()).toBe(403);
  await expect(page.getByTestId('wall-refused')).toContainText(`warehouse ${world.warehouses.A} only`);
});

test('an admin picks a wall screen; a signed-out browser is sent to sign in', async ({ page, browser, world }) => {
  const anonymous = await browser.newContext();
  const outside = await anonymous.newPage();
  await outside.goto(`/wall/${world.warehouses.C}`);
  await expect(outside).toHaveURL(/\/login\?next=/);
  await anonymous.close();

  await loginAs(page, 'admin');
  await page.goto('/wall');
  await page.getByRole('link', { name: /Branch C/ }).click();
  await expect(page).toHaveURL(new RegExp(`/wall/${world.warehouses.C}$`));
  await expect(page.getByRole('heading', { level: 1 })).toContainText('Branch C');
  await expect(page.getByRole('region', { name: 'Picking queue' }).getByTestId('freshness')).toHaveAttribute('data-stale', 'false');
});
