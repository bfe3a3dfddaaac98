import { rm } from 'node:fs/promises';
import { expect, test } from '@playwright/test';
import { startServer, type ServerProcess } from '../support/server-process';
import { tempDir } from '../support/databases';
import { ADMIN, createWorld, signIn } from './support/world';

/**
 * A kiosk wall screen outlives its server: this spec runs its own control tower
 * (not the shared one), stops it under an open screen, and starts it again on
 * the same data. The screen must say it is offline, then come back by itself
 * with current data.
 */
const PORT = '4193';

test('a kiosk wall screen shows it is offline while the server is down, then reconnects and shows current data', async ({ page }, testInfo) => {
  test.setTimeout(240_000);
  const dataDir = await tempDir('wall-restart');
  const env = {
    PORT,
    HOST: '127.0.0.1',
    ORIGIN: `http://127.0.0.1:${PORT}`,
    DATA_DIR: dataDir,
    LOG_LEVEL: 'warn',
    ADMIN_EMAIL: ADMIN.email,
    ADMIN_PASSWORD: ADMIN.password,
    OPSTOWER_BUILD_DIR: process.env.OPSTOWER_BUILD_DIR ?? 'build'
  };
  let server: ServerProcess | null = await startServer(env);
  const stop = async () => {
    if (!server) return;
    const { exited } = server;
    server.proc.kill('SIGTERM');
    await exited;
    server = null;
  };
  try {
    const base = server.url;
    const world = await createWorld(base);
    const A = world.warehouses.A;
    const admin = await signIn(base, ADMIN.email, ADMIN.password);
    const { token } = await admin.kiosk.create.mutate({ warehouseId: A, label: 'Restart screen' });
    const order = async () => {
      const created = await admin.orders.create.mutate({ customerId: world.customer, warehouseId: A, lines: [{ productId: world.products[0]!.id, qty: 2 }] });
      await admin.orders.confirm.mutate({ orderId: created.id });
      return created.id;
    };
    // Panels rotate every 15 s: key 1 brings the picking queue back (and restarts the count) before each look.
    const row = async (orderId: number) => {
      await page.keyboard.press('1');
      return page.locator(`[data-testid="picking-row"][data-order-id="${orderId}"]`);
    };

    await page.goto(`${base}/wall/${A}?kiosk=${encodeURIComponent(token)}`);
    await expect(page).toHaveURL(`${base}/wall/${A}`);
    const connection = page.getByTestId('wall-connection');
    await expect(connection).toHaveText('LIVE');
    const before = await order();
    await expect(await row(before)).toBeVisible({ timeout: 10_000 });

    await stop();
    await expect(connection).toHaveText('OFFLINE', { timeout: 10_000 });
    const banner = page.getByTestId('wall-banner');
    await expect(banner).toContainText('OFFLINE');
    await expect(banner).toContainText('CHECK THE CONNECTION');
    const badge = page.getByTestId('wall-panel-picking').getByTestId('freshness');
    await expect(badge).toHaveAttribute('data-stale', 'true');
    await expect(badge).toContainText('Offline');
    await expect(await row(before)).toBeVisible(); // the last data stays on screen, marked
    await page.screenshot({ path: testInfo.outputPath('wall-offline.png'), fullPage: true });

    server = await startServer(env);
    await expect(connection).toHaveText('LIVE', { timeout: 30_000 });
    await expect(banner).toHaveCount(0, { timeout: 10_000 });
    await expect(badge).toHaveAttribute('data-stale', 'false');
    const after = await order();
    await expect(await row(after)).toBeVisible({ timeout: 10_000 });
    await expect(await row(before)).toBeVisible();
    await page.screenshot({ path: testInfo.outputPath('wall-reconnected.png'), fullPage: true });
  } finally {
    await stop();
    await rm(dataDir, { recursive: true, force: true });
  }
});
