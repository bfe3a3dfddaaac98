import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { postgresProcessesUnder, runToExit, startServer, type ServerProcess } from './support/server-process';
import { freshDatabase, tempDir } from './support/databases';
import { startEmbeddedPostgres } from '../platform/postgres';
import pino from 'pino';

// These tests run the production build (npm test builds before vitest runs).
const running: ServerProcess[] = [];
afterEach(async () => {
  for (const s of running.splice(0)) {
    if (s.proc.exitCode === null && s.proc.signalCode === null) {
      s.proc.kill('SIGTERM');
      await s.exited;
    }
  }
});

async function start(env: Record<string, string>, command?: string[]) {
  const s = await startServer(env, command);
  running.push(s);
  return s;
}

describe('the control tower process', () => {
  it('serves the home page, a healthy /healthz, /metrics, and a request id', async () => {
    const dataDir = await tempDir('life');
    const s = await start({ DATA_DIR: dataDir });
    const health = await fetch(`${s.url}/healthz`);
    expect(health.status).toBe(200);
    const body = await health.json();
    expect(body).toMatchObject({ status: 'ok', postgres: { ok: true, embedded: true }, clickhouse: { ok: true, embedded: true } });

    const home = await fetch(`${s.url}/`, { headers: { 'x-request-id': 'trace-123' } });
    expect(home.status).toBe(200);
    expect(home.headers.get('x-request-id')).toBe('trace-123');
    expect(await home.text()).toContain('opstower');

    const metrics = await (await fetch(`${s.url}/metrics`)).text();
    expect(metrics).toMatch(/opstower_http_requests_total\{method="GET",route="\/",status="200"\} 1/);
    expect(metrics).toContain('opstower_process_resident_memory_bytes');
  });

  it('stops cleanly on SIGINT, leaves no postgres, and starts again on the same data', async () => {
    const dataDir = await tempDir('sigint');
    const first = await start({ DATA_DIR: dataDir });
    expect(postgresProcessesUnder(dataDir).length).toBeGreaterThan(0);
    first.proc.kill('SIGINT');
    expect((await first.exited).code).toBe(0);
    expect(postgresProcessesUnder(dataDir)).toEqual([]);

    const second = await start({ DATA_DIR: dataDir });
    expect((await fetch(`${second.url}/healthz`)).status).toBe(200);
    second.proc.kill('SIGTERM');
    expect((await second.exited).code).toBe(0);
    expect(postgresProcessesUnder(dataDir)).toEqual([]);
  });

  it('starts again after kill -9 (orphaned postgres, stale postmaster.pid)', async () => {
    const dataDir = await tempDir('kill9');
    const first = await start({ DATA_DIR: dataDir });
    first.proc.kill('SIGKILL');
    await first.exited;
    expect(postgresProcessesUnder(dataDir).length).toBeGreaterThan(0); // the orphan is still there

    const second = await start({ DATA_DIR: dataDir });
    expect((await fetch(`${second.url}/healthz`)).status).toBe(200);
    second.proc.kill('SIGINT');
    expect((await second.exited).code).toBe(0);
    expect(postgresProcessesUnder(dataDir)).toEqual([]);
  });

  it('reports 503 on /healthz when PostgreSQL goes down', async () => {
    const dataDir = await tempDir('down');
    const s = await start({ DATA_DIR: dataDir });
    const pid = Number((await readFile(path.join(dataDir, 'postgres', 'postmaster.pid'), 'utf8')).split('\n')[0]);
    process.kill(pid, 'SIGINT');
    while (postgresProcessesUnder(dataDir).length > 0) await new Promise((r) => setTimeout(r, 50));
    const health = await fetch(`${s.url}/healthz`);
    expect(health.status).toBe(503);
    const body = await health.json();
    expect(body.status).toBe('unavailable');
    expect(body.postgres.ok).toBe(false);
    expect(body.clickhouse.ok).toBe(true);
  });

  it('runs on a DATABASE_URL server instead of the embedded one', async () => {
    const url = await freshDatabase('srv');
    const dataDir = await tempDir('url');
    const s = await start({ DATA_DIR: dataDir, DATABASE_URL: url });
    const body = await (await fetch(`${s.url}/healthz`)).json();
    expect(body.postgres).toMatchObject({ ok: true, embedded: false });
    expect(postgresProcessesUnder(dataDir)).toEqual([]);
  });
});

describe('start-up refusals', () => {
  it('DATABASE_URL=nonsense exits non-zero with one line naming DATABASE_URL', async () => {
    const r = await runToExit({ DATABASE_URL: 'nonsense', DATA_DIR: await tempDir('bad') });
    expect(r.code).not.toBe(0);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/DATABASE_URL="nonsense" is not a PostgreSQL URL/);
  });

  it('PORT=abc exits non-zero naming PORT', async () => {
    const r = await runToExit({ PORT: 'abc', DATA_DIR: await tempDir('bad') });
    expect(r.code).not.toBe(0);
    expect(r.stderr.trim()).toMatch(/^opstower: Invalid configuration: PORT="abc" is not a number/);
  });

  it('a server without wal_level=logical is refused with how to fix it, leaving nothing running', async () => {
    const pgDir = await tempDir('replica');
    const replica = await startEmbeddedPostgres({ dataDir: pgDir, log: pino({ level: 'silent' }), extraFlags: ['-c', 'wal_level=replica'] });
    try {
      const r = await runToExit({ DATABASE_URL: replica.url, DATA_DIR: await tempDir('bad') });
      expect(r.code).not.toBe(0);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).toMatch(/wal_level=replica; the CDC ingest needs wal_level=logical/);
    } finally {
      await replica.stop();
    }
  });
});

describe('npm start', () => {
  it('prints the URL, and kill -INT of npm leaves no postgres of ours', async () => {
    const dataDir = await tempDir('npm');
    const s = await start({ DATA_DIR: dataDir }, ['npm', 'start', '--silent']);
    expect(s.output()).toMatch(/opstower control tower ready at http:\/\/localhost:\d+/);
    expect((await fetch(`${s.url}/healthz`)).status).toBe(200);
    s.proc.kill('SIGINT');
    await s.exited;
    const deadline = Date.now() + 10_000;
    while (postgresProcessesUnder(dataDir).length > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    expect(postgresProcessesUnder(dataDir)).toEqual([]);
  });
});
