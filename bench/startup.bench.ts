// How long until the control tower answers: the README promises a healthy
// /healthz within 30 s of `npm start` on a fresh machine (build excluded).
import { spawn } from 'node:child_process';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { startEmbeddedPostgres } from '../platform/postgres';
import { openEmbeddedClickHouse } from '../platform/clickhouse';
import { migrateClickHouse } from '../warehouse/migrate';
import { percentile, type Benchmark } from './harness';

async function tmp(prefix: string) {
  const d = await mkdtemp(path.join(tmpdir(), prefix));
  await chmod(d, 0o755);
  return d;
}

/** Spawns server.js on a data directory and returns ms until /healthz says ok. */
async function timeToHealthy(dataDir: string, port: number): Promise<number> {
  const started = performance.now();
  const proc = spawn(process.execPath, ['server.js'], { env: { ...process.env, DATA_DIR: dataDir, PORT: String(port), LOG_LEVEL: 'warn' }, stdio: 'ignore' });
  try {
    for (;;) {
      if (performance.now() - started > 60_000) throw new Error('server not healthy within 60 s');
      const ok = await fetch(`http://127.0.0.1:${port}/healthz`).then((r) => r.ok, () => false);
      if (ok) return performance.now() - started;
      await new Promise((r) => setTimeout(r, 25));
    }
  } finally {
    proc.kill('SIGTERM');
    await new Promise((r) => proc.on('exit', r));
  }
}

const bench: Benchmark = {
  name: 'startup',
  description: 'time from start to a healthy control tower on embedded engines (needs `npm run build` first)',
  async run(ctx) {
    const log = pino({ level: 'silent' });
    const rounds = 3;
    const pgCold: number[] = [];
    const pgWarm: number[] = [];
    const chOpen: number[] = [];
    for (let i = 0; i < rounds; i++) {
      ctx.progress('embedded PostgreSQL and chDB', i / rounds);
      const dir = await tmp('opstower-bench-');
      let t = performance.now();
      const pg1 = await startEmbeddedPostgres({ dataDir: dir, log });
      pgCold.push(performance.now() - t);
      await pg1.stop();
      t = performance.now();
      const pg2 = await startEmbeddedPostgres({ dataDir: dir, log });
      pgWarm.push(performance.now() - t);
      await pg2.stop();
      if (i === 0) {
        // chDB binds one data directory per process: measure it once.
        t = performance.now();
        const ch = await openEmbeddedClickHouse(dir);
        await migrateClickHouse(ch.client);
        chOpen.push(performance.now() - t);
        await ch.close();
      }
      await rm(dir, { recursive: true, force: true });
    }
    ctx.progress('embedded PostgreSQL and chDB', 1);
    const serverCold: number[] = [];
    const serverWarm: number[] = [];
    for (let i = 0; i < rounds; i++) {
      ctx.progress('server.js to healthy /healthz', i / rounds);
      const dir = await tmp('opstower-bench-');
      serverCold.push(await timeToHealthy(dir, 4390 + i));
      serverWarm.push(await timeToHealthy(dir, 4390 + i));
      await rm(dir, { recursive: true, force: true });
    }
    ctx.progress('server.js to healthy /healthz', 1);
    const med = (xs: number[]) => percentile([...xs].sort((a, b) => a - b), 50);
    return [
      { name: 'embedded PostgreSQL: initdb + start (median)', value: med(pgCold), unit: 'ms' },
      { name: 'embedded PostgreSQL: restart on existing data (median)', value: med(pgWarm), unit: 'ms' },
      { name: 'chDB: open + ClickHouse migrations', value: med(chOpen), unit: 'ms' },
      { name: 'server.js to healthy, fresh data dir (median)', value: med(serverCold) / 1000, unit: 's', target: { op: '<=', value: 30 } },
      { name: 'server.js to healthy, existing data dir (median)', value: med(serverWarm) / 1000, unit: 's', target: { op: '<=', value: 30 } }
    ];
  }
};
export default bench;
