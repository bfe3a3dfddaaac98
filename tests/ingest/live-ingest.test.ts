import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { io as connect, type Socket } from 'socket.io-client';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { freePort, startServer, type ServerProcess } from '../support/server-process';
import { freshDatabase, tempDir } from '../support/databases';
import { ingestProgress, landedEvent, type LandedEvent } from '../../schemas/ingest';
import { waitFor } from './support';

// The ingest as the rest of the house sees it: /healthz, /metrics and live events,
// with the ingest inside the app process (embedded default) and in a process of its own.
const ADMIN = { ADMIN_EMAIL: 'admin@example.com', ADMIN_PASSWORD: 'a long admin password' };

async function signIn(url: string): Promise<string> {
  const res = await fetch(`${url}/api/trpc/auth.login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email: ADMIN.ADMIN_EMAIL, password: ADMIN.ADMIN_PASSWORD })
  });
  return (await res.json()).result.data.token as string;
}

async function createRegion(url: string, token: string, code: string): Promise<void> {
  const res = await fetch(`${url}/api/trpc/catalog.regions.create`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ code, name: `Region ${code}` })
  });
  expect(res.status).toBe(200);
}

function socketOf(url: string, token?: string): Promise<{ socket: Socket; landed: LandedEvent[]; progress: unknown[] }> {
  const socket = connect(url, { transports: ['websocket'], auth: token ? { token } : {}, reconnection: false });
  const landed: LandedEvent[] = [];
  const progress: unknown[] = [];
  socket.on('landed', (e) => landed.push(landedEvent.parse(e)));
  socket.on('ingest', (p) => progress.push(ingestProgress.parse(p)));
  return new Promise((resolve, reject) => {
    socket.once('hello', () => resolve({ socket, landed, progress }));
    socket.once('connect_error', reject);
  });
}

const health = async (url: string) => (await fetch(`${url}/healthz`)).json();

describe('ingest inside the app process (embedded default)', () => {
  let s: ServerProcess;
  beforeAll(async () => {
    s = await startServer({ DATA_DIR: await tempDir('live-ingest'), ...ADMIN });
  });
  afterAll(async () => {
    s.proc.kill('SIGTERM');
    await s.exited;
  });

  it('streams, reports lag on /healthz and /metrics, and pushes landed keys to signed-in sockets only', async () => {
    await waitFor(async () => (await health(s.url)).ingest.state === 'streaming', 30_000, 'the ingest to stream');
    const token = await signIn(s.url);
    const member = await socketOf(s.url, token);
    const anonymous = await socketOf(s.url);
    await waitFor(() => member.progress.length > 0, 5_000, 'a progress event on joining');

    await createRegion(s.url, token, 'LIVE1');
    await waitFor(() => member.landed.some((e) => e.tables.includes('regions')), 10_000, 'a landed event for regions');
    const event = member.landed.find((e) => e.tables.includes('regions'))!;
    expect(event.lsn).toMatch(/^[0-9A-F]+\/[0-9A-F]+$/);
    expect(Date.parse(event.landedAt)).toBeGreaterThanOrEqual(Date.parse(event.commitTimeTo));
    expect(anonymous.landed).toEqual([]);
    expect(anonymous.progress).toEqual([]);

    const h = await health(s.url);
    expect(h.status).toBe('ok');
    expect(h.ingest).toMatchObject({ mode: 'in-process', state: 'streaming' });
    expect(h.ingest.landedLsn).toMatch(/\//);
    const text = await (await fetch(`${s.url}/metrics`)).text();
    expect(Number(/^opstower_ingest_rows_total (\d+)/m.exec(text)?.[1])).toBeGreaterThan(0);
    expect(text).toMatch(/^opstower_ingest_lag_milliseconds \d+/m);
    expect(text).toMatch(/^opstower_ingest_active 1/m);
    member.socket.close();
    anonymous.socket.close();
  });
});

describe('ingest in a process of its own (INGEST_MODE=external)', () => {
  let app: ServerProcess;
  let ingest: ServerProcess;
  const slot = `ext_${randomBytes(4).toString('hex')}`;
  let url: string;
  beforeAll(async () => {
    url = await freshDatabase('ext');
    app = await startServer({ DATA_DIR: await tempDir('ext-app'), DATABASE_URL: url, INGEST_MODE: 'external', ...ADMIN });
    ingest = await startServer(
      { DATA_DIR: await tempDir('ext-ingest'), DATABASE_URL: url, INGEST_SLOT: slot, PORT: String(await freePort()), HOST: '127.0.0.1' },
      [process.execPath, '--import', 'tsx', 'ingest/main.ts'],
      'serving /metrics and /healthz'
    );
  });
  afterAll(async () => {
    ingest?.proc.kill('SIGTERM');
    app?.proc.kill('SIGTERM');
    await Promise.all([ingest?.exited, app?.exited]);
    const db = new pg.Client({ connectionString: url });
    await db.connect();
    await db.query('SELECT pg_drop_replication_slot($1)', [slot]).catch(() => undefined);
    await db.end();
  });

  it('follows the other process: progress on /healthz and landed events over NOTIFY', async () => {
    await waitFor(async () => (await health(app.url)).ingest.state === 'streaming', 30_000, 'the external ingest to report streaming');
    expect((await health(app.url)).ingest.mode).toBe('external');
    const token = await signIn(app.url);
    const member = await socketOf(app.url, token);
    await createRegion(app.url, token, 'EXT1');
    await waitFor(() => member.landed.some((e) => e.tables.includes('regions')), 10_000, 'a landed event from the external ingest');
    member.socket.close();
  });
});
