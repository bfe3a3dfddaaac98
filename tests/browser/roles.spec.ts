import { io as connect } from 'socket.io-client';
import { ROLES } from '../../schemas/api/roles';
import { BOARDS, type BoardJoinAck } from '../../schemas/live';
import { homeOf, SCREENS, screensFor } from '../../app/lib/navigation';
import { expect, loginAs, test } from './support/fixtures';

// Each role signs in, lands on its board, sees its screens in the navigation, and
// is refused the others: the page (403) and the board's live room (join refused).
for (const role of ROLES) {
  test(`${role}: its pages and rooms, and no others`, async ({ page, context, world }) => {
    await loginAs(page, role);
    await expect(page).toHaveURL(new RegExp(`${homeOf(role).replace(/\//g, '\\/')}`));
    const allowed = screensFor(role);
    await page.goto(SCREENS.alerts.href); // every role's; a warehouse lead's home is its wall screen, which has no navigation
    const nav = page.getByRole('navigation', { name: 'Main' });
    for (const s of Object.values(SCREENS)) {
      const link = nav.getByRole('link', { name: s.label, exact: true });
      if (allowed.includes(s)) await expect(link).toBeVisible();
      else await expect(link).toHaveCount(0);
    }
    for (const s of Object.values(SCREENS)) {
      const response = await page.goto(s.href);
      if (allowed.includes(s)) expect(response!.status(), `${role} on ${s.href}`).toBeLessThan(400);
      else expect(response!.status(), `${role} on ${s.href}`).toBe(403);
    }
    const session = (await context.cookies()).find((c) => c.name === 'opstower_session')!;
    const socket = connect(world.baseURL, { transports: ['websocket'], extraHeaders: { cookie: `opstower_session=${session.value}` } });
    try {
      for (const board of BOARDS) {
        const scope = role === 'warehouse' || board === 'wall' ? { warehouseId: world.warehouses.A } : {};
        const ack = (await socket.timeout(30_000).emitWithAck('board:join', { board, scope })) as BoardJoinAck;
        const open = (SCREENS[board].roles as readonly string[]).includes(role);
        expect(ack.ok, `${role} joining ${board}: ${JSON.stringify(ack)}`).toBe(open);
      }
    } finally {
      socket.close();
    }
  });
}

test('signing in with a wrong password says so and stays on the form; signing out ends the session', async ({ page }) => {
  await page.goto('/login');
  await page.getByLabel('Email').fill('planner@e2e.local');
  await page.getByLabel('Password').fill('not the password');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('alert')).toHaveText('email or password is wrong');
  await expect(page).toHaveURL(/\/login/);
  await loginAs(page, 'planner');
  await page.getByRole('button', { name: 'Sign out' }).click();
  await expect(page).toHaveURL(/\/login/);
  await page.goto(SCREENS.planner.href);
  await expect(page).toHaveURL(/\/login\?next=%2Fboard%2Fplanner/);
});

test('an anonymous visitor is sent to sign in and back to the page asked for', async ({ page }) => {
  await page.goto('/alerts');
  await expect(page).toHaveURL(/\/login\?next=%2Falerts/);
  await page.getByLabel('Email').fill('viewer@e2e.local');
  await page.getByLabel('Password').fill('correct horse battery');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page).toHaveURL(/\/alerts$/);
});
