import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTRPCClient, httpLink } from '@trpc/client';
import type { AppRouter } from '../app/lib/server/api/root';
import { startServer, type ServerProcess } from './support/server-process';
import { tempDir } from './support/databases';

/**
 * `npm run demo` as a newcomer runs it (scripts/demo.js on a fresh data directory):
 * the logins it prints open the control tower, and within 60 s of the command the
 * executive's KPIs show 90 days of trends and numbers that move.
 */
let demo: ServerProcess;
let startedAt: number;

beforeAll(async () => {
  startedAt = Date.now();
  demo = await startServer({ DATA_DIR: await tempDir('demo'), SIM_ORDERS_PER_SECOND: '5' }, [process.execPath, 'scripts/demo.js']);
}, 120_000);
afterAll(async () => {
  demo?.proc.kill('SIGINT');
  const exit = await demo?.exited;
  expect(exit?.code).toBe(0); // Ctrl-C stops it cleanly
});

function login(role: string): { email: string; password: string } {
  const line = demo.output().split('\n').find((l) => l.trim().startsWith(`${role} `));
  const [, email, password] = line!.trim().split(/\s+/);
  return { email: email!, password: password! };
}

describe('npm run demo', () => {
  it('prints a login per role, and the executive sees 90 days of trends and live numbers that move within 60 s', async () => {
    for (const role of ['admin', 'executive', 'planner', 'buyer', 'sales', 'warehouse', 'finance', 'viewer']) expect(login(role).email).toMatch(/@/);
    const anon = createTRPCClient<AppRouter>({ links: [httpLink({ url: `${demo.url}/api/trpc` })] });
    const { token } = await anon.auth.login.mutate(login('executive'));
    const api = createTRPCClient<AppRouter>({ links: [httpLink({ url: `${demo.url}/api/trpc`, headers: { authorization: `Bearer ${token}` } })] });
    // The live operations date documents on the demo's business clock, which runs ahead of the wall clock.
    const to = new Date(Date.now() + 86_400_000);
    const window = { from: new Date(to.getTime() - 90 * 86_400_000).toISOString(), to: to.toISOString() };
    let first: Awaited<ReturnType<typeof api.kpi.fillRate.query>> | undefined;
    let moved = false;
    while (Date.now() - startedAt < 60_000 && !moved) {
      const fill = await api.kpi.fillRate.query(window).catch(() => undefined);
      if (fill && fill.data.byDay.length > 0) {
        first ??= fill;
        moved = fill.asOf.lsn !== first.asOf.lsn && fill.asOf.commitTime !== first.asOf.commitTime;
      }
      if (!moved) await new Promise((r) => setTimeout(r, 1_000));
    }
    expect(first, `no fill rate within 60 s:\n${demo.output().slice(-2000)}`).toBeDefined();
    expect(new Set(first!.data.byDay.map((d) => d.day)).size).toBeGreaterThanOrEqual(80);
    expect(moved, 'the numbers did not move within 60 s of the command').toBe(true);

    // 800 orders a simulated day at 5 per second: a day in 160 real seconds, so the business clock runs 540 times
    // faster (or waits, at 0, while the simulation catches up with a long operation), and the header says so.
    const clock = await api.businessClock.get.query();
    expect(clock.set).toBe(true);
    expect([0, 540]).toContain(clock.rate);
    const page = await fetch(`${demo.url}/board/executive`, { headers: { cookie: `opstower_session=${token}` } }).then((r) => r.text());
    expect(page).toMatch(/data-testid="business-clock"[^>]*>Business time [^<]+(<!--[^>]*-->)?<span[^>]*>· (×540|paused)</);
  }, 120_000);
});
