import { expect, test, type WebSocketRoute } from '@playwright/test';

test('the home page connects live over Socket.IO', async ({ page }, testInfo) => {
  await page.goto('/');
  await expect(page.getByRole('heading', { name: 'opstower' })).toBeVisible();
  const indicator = page.getByTestId('connection-indicator');
  await expect(indicator).toHaveAttribute('data-state', 'connected');
  await expect(indicator).toContainText('Live');
  await expect(page.getByText(/live node \S+:\d+/)).toBeVisible();
  await page.screenshot({ path: testInfo.outputPath('home.png'), fullPage: true });
});

test('the indicator shows a lost connection and its recovery', async ({ page }) => {
  let refuse = false;
  const open: WebSocketRoute[] = [];
  await page.routeWebSocket(/\/socket\.io\//, (ws) => {
    if (refuse) return void ws.close({ code: 1011, reason: 'test: server away' });
    ws.connectToServer();
    open.push(ws);
  });
  await page.goto('/');
  const indicator = page.getByTestId('connection-indicator');
  await expect(indicator).toHaveAttribute('data-state', 'connected');

  refuse = true;
  for (const ws of open.splice(0)) await ws.close({ code: 1011, reason: 'test: server away' });
  await expect(indicator).not.toHaveAttribute('data-state', 'connected');
  await expect(indicator).not.toContainText('Live');

  refuse = false;
  await expect(indicator).toHaveAttribute('data-state', 'connected', { timeout: 15_000 });
});
