// Commit-to-browser latency of the live boards: 200 signed-in sockets watch the
// executive board (network and regional rooms) and the warehouses' wall screens
// while sales transactions (order created, confirmed, shipped) commit at 200/s
// through the core services. A commit is on a screen when a tile that reads its
// tables arrives there with an asOf LSN at or beyond the commit's LSN.
import { execFileSync } from 'node:child_process';
import { sql } from 'drizzle-orm';
import { io as connect, type Socket } from 'socket.io-client';
import { SYSTEM_ACTOR } from '../app/lib/server/core/actor';
import { createCoreDb, type CoreDb } from '../app/lib/server/core/db';
import { createUser, login } from '../app/lib/server/auth/sessions';
import { BOARD_DEFINITIONS } from '../app/lib/server/live/boards';
import { parseLsn, type Lsn } from '../ingest/lsn';
import { createPool } from '../platform/pool';
import type { BoardJoin, TileEvent } from '../schemas/live';
import { startServer } from '../tests/support/server-process';
import { generateNetwork } from './core-data';
import { percentile, type Benchmark } from './harness';
import { benchTempDir, clock } from './ingest-support';
import { salesStep, type SalesOrder } from './sales-transaction';
import { benchPostgres } from './support';

const SOCKETS = 200;
const RATE = 200;
const SECONDS = Number(process.env.BENCH_LIVE_SECONDS ?? 60);
const WORKERS = 16;
const WRITTEN = new Set(['sales_orders', 'sales_order_lines', 'shipments', 'shipment_lines', 'stock_moves', 'stock_balances', 'invoices']);
const PASSWORD = 'bench password 1234';

/** The tiles that read what the load writes: only their arrivals count as showing a commit. */
const relevant = new Set(
  Object.values(BOARD_DEFINITIONS).flatMap((b) => b.tiles.filter((t) => t.tables.some((x) => WRITTEN.has(x))).map((t) => `${b.name}/${t.name}`))
);

interface Arrival {
  at: number;
  lsn: Lsn;
}

/** A commit, and the warehouse its order is at (a wall screen shows its own warehouse's only). */
interface Commit extends Arrival {
  warehouseId: number;
}

interface Screen {
  socket: Socket;
  arrivals: Arrival[];
  warehouseId: number | null;
}

async function screens(url: string, db: CoreDb, warehouseIds: number[], regionId: number, progress: (f: number) => void) {
  const executive = await createUser(db, SYSTEM_ACTOR, { email: 'exec@bench.local', name: 'Exec', password: PASSWORD, role: 'executive' });
  const tokenOf = async (email: string) => (await login(db, { email, password: PASSWORD })).token;
  const execToken = await tokenOf(executive.email);
  const leadTokens: string[] = [];
  for (const [i, warehouseId] of warehouseIds.entries()) {
    const lead = await createUser(db, SYSTEM_ACTOR, { email: `lead${i}@bench.local`, name: `Lead ${i}`, password: PASSWORD, role: 'warehouse', warehouseId });
    leadTokens.push(await tokenOf(lead.email));
  }
  const sockets: Screen[] = [];
  for (let i = 0; i < SOCKETS; i++) {
    // 60 % on the network board, 20 % on the region's, 20 % on the wall screens.
    const kind = i % 5 < 3 ? 'network' : i % 5 === 3 ? 'region' : 'wall';
    const w = i % warehouseIds.length;
    const token = kind === 'wall' ? leadTokens[w]! : execToken;
    const join: BoardJoin = kind === 'wall' ? { board: 'wall', scope: { warehouseId: warehouseIds[w]! } } : { board: 'executive', scope: kind === 'region' ? { regionId } : {} };
    const socket = connect(url, { transports: ['websocket'], auth: { token }, forceNew: true });
    const arrivals: Arrival[] = [];
    socket.on('tile', (t: TileEvent) => {
      if (relevant.has(`${t.board}/${t.tile}`) && t.asOf.lsn) arrivals.push({ at: clock(), lsn: parseLsn(t.asOf.lsn) });
    });
    await new Promise((r) => socket.on('connect', () => r(undefined)));
    const ack = (await socket.timeout(60_000).emitWithAck('board:join', join)) as { ok: boolean; error?: string };
    if (!ack.ok) throw new Error(`socket ${i} could not join ${join.board}: ${ack.error}`);
    sockets.push({ socket, arrivals, warehouseId: kind === 'wall' ? warehouseIds[w]! : null });
    progress((i + 1) / SOCKETS);
  }
  return sockets;
}

/** For each screen, the first relevant arrival at or beyond each commit's LSN: that commit's latency there. */
function latencies(commits: Commit[], screens: Screen[]): { values: number[]; missing: number } {
  const byLsn = [...commits].sort((a, b) => (a.lsn < b.lsn ? -1 : a.lsn > b.lsn ? 1 : 0));
  const values: number[] = [];
  let missing = 0;
  for (const { arrivals, warehouseId } of screens) {
    const sorted = warehouseId === null ? byLsn : byLsn.filter((c) => c.warehouseId === warehouseId);
    let i = 0;
    let reach = 0n;
    for (const a of arrivals) {
      if (a.lsn > reach) reach = a.lsn;
      while (i < sorted.length && sorted[i]!.lsn <= reach) values.push(a.at - sorted[i++]!.at);
    }
    missing += sorted.length - i;
  }
  return { values: values.sort((a, b) => a - b), missing };
}

/** Where the server's time went: its tile computations, from /metrics. */
async function tileCosts(url: string): Promise<string> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const read = (suffix: string) =>
    new Map([...text.matchAll(new RegExp(`^opstower_tile_compute_seconds_${suffix}\\{board="(\\w+)",tile="(\\w+)"\\} ([\\d.e+-]+)$`, 'gm'))].map((m) => [`${m[1]}/${m[2]}`, Number(m[3])]));
  const sums = read('sum');
  const counts = read('count');
  const tiles = [...counts].map(([tile, n]) => `${tile} ${n} × ${((sums.get(tile)! / n) * 1000).toFixed(0)}`).join(', ');
  const refresh = (suffix: string) => Number(new RegExp(`^opstower_facts_refresh_seconds_${suffix} ([\\d.e+-]+)$`, 'm').exec(text)?.[1] ?? NaN);
  return `${tiles}; facts refreshes ${refresh('count')} × ${((refresh('sum') / refresh('count')) * 1000).toFixed(0)}`;
}

const bench: Benchmark = {
  name: 'live-latency',
  description: `commit-to-browser latency, ${SOCKETS} sockets on the executive board and wall screens, ${RATE} sales transactions/s for ${SECONDS} s (embedded ClickHouse)`,
  async run(ctx) {
    ctx.progress('building the app', 0);
    execFileSync(process.execPath, ['scripts/ensure-build.js'], { stdio: 'inherit' });
    const engine = await benchPostgres();
    const pool = createPool(engine.url, WORKERS + 2);
    const db = createCoreDb(pool);
    const sockets: Socket[] = [];
    let server: Awaited<ReturnType<typeof startServer>> | undefined;
    try {
      const net = await generateNetwork(db, { warehouses: 4, products: 500, moves: 100_000 }, (l, f) => ctx.progress(l, f));
      const [region] = (await db.execute<{ id: number }>(sql`SELECT id FROM regions LIMIT 1`)).rows;
      ctx.progress('control tower: start, backfill', 0);
      server = await startServer({ DATABASE_URL: engine.url, DATA_DIR: await benchTempDir('opstower-bench-live-'), LOG_LEVEL: process.env.BENCH_SERVER_LOG_LEVEL ?? 'warn' }, [
        process.execPath,
        // e.g. BENCH_SERVER_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof" to see where the server's time goes.
        ...(process.env.BENCH_SERVER_NODE_ARGS?.split(' ').filter(Boolean) ?? []),
        'server.js'
      ]);
      for (let i = 0; ; i++) {
        const health = (await (await fetch(`${server.url}/healthz`)).json()) as { ingest: { state: string } };
        if (health.ingest.state === 'streaming') break;
        if (i > 600) throw new Error(`the ingest did not reach streaming: ${JSON.stringify(health.ingest)}`);
        await new Promise((r) => setTimeout(r, 200));
      }
      ctx.progress('control tower: start, backfill', 1);
      const watched = await screens(server.url, db, net.warehouseIds, Number(region!.id), (f) => ctx.progress(`${SOCKETS} sockets join their boards`, f));
      sockets.push(...watched.map((w) => w.socket));

      // Paced load: transaction k is due at t0 + k / RATE; a worker's orders go create → confirm → ship.
      const commits: Commit[] = [];
      const total = SECONDS * RATE;
      let next = 0;
      let failed = 0;
      const t0 = clock() + 200;
      // The ingest's own lag (commit to landed, from /healthz) beside it: where the time goes.
      const ingestLag: number[] = [];
      const ticker = setInterval(() => {
        ctx.progress(`load at ${RATE} transactions/s`, next / total);
        void fetch(`${server!.url}/healthz`)
          .then((r) => r.json() as Promise<{ ingest: { lagMs?: number | null } }>)
          .then((h) => typeof h.ingest.lagMs === 'number' && ingestLag.push(h.ingest.lagMs))
          .catch(() => undefined);
      }, 1_000);
      await Promise.all(
        Array.from({ length: WORKERS }, async (_, w) => {
          let order: SalesOrder | null = null;
          let step = 0;
          while (next < total) {
            const k = next++;
            const wait = t0 + (k * 1000) / RATE - clock();
            if (wait > 0) await new Promise((r) => setTimeout(r, wait));
            try {
              order = await salesStep(db, net, k, w, step, order);
              const [row] = (await db.execute<{ lsn: string }>(sql`SELECT pg_current_wal_lsn()::text AS lsn`)).rows;
              commits.push({ at: clock(), lsn: parseLsn(row!.lsn), warehouseId: order!.warehouseId });
            } catch (err) {
              failed++;
              if (failed <= 3) ctx.log(`transaction failed: ${(err as Error).message}`);
            }
            step = (step + 1) % 3;
          }
        })
      );
      clearInterval(ticker);
      const elapsed = (clock() - t0) / 1000;
      ctx.progress(`load at ${RATE} transactions/s`, 1);
      await new Promise((r) => setTimeout(r, 5_000)); // let the last commits reach the screens
      const { values, missing } = latencies(commits, watched);
      ctx.log(`${commits.length} commits in ${elapsed.toFixed(1)} s (${failed} failed); ${values.length.toLocaleString('en')} commit×screen samples; ${missing} never shown`);
      ctx.log(`tiles counted: ${[...relevant].join(', ')}`);
      ctx.log(`server computations (count × mean ms): ${await tileCosts(server.url)}`);
      return [
        { name: 'transactions per second', value: commits.length / elapsed, unit: 'tx/s', target: { op: '>=', value: RATE * 0.95 } },
        { name: 'commit-to-browser p50', value: percentile(values, 50), unit: 'ms' },
        { name: 'commit-to-browser p99', value: percentile(values, 99), unit: 'ms', target: { op: '<=', value: 1000 } },
        { name: 'commit-to-browser max', value: values.at(-1) ?? NaN, unit: 'ms' },
        { name: 'commits never shown on a screen', value: missing, unit: 'commit×screen', target: { op: '<=', value: 0 } },
        { name: 'ingest lag (commit to landed) p50, sampled 1/s', value: percentile(ingestLag.sort((a, b) => a - b), 50), unit: 'ms' },
        { name: 'ingest lag max, sampled 1/s', value: ingestLag.at(-1) ?? NaN, unit: 'ms' }
      ];
    } finally {
      if (process.env.BENCH_SERVER_LOG) await import('node:fs/promises').then((fs) => fs.writeFile(process.env.BENCH_SERVER_LOG!, server?.output() ?? ''));
      for (const s of sockets) s.close();
      if (server) {
        server.proc.kill('SIGTERM');
        await server.exited;
      }
      await pool.end();
      await engine.stop();
    }
  }
};

export default bench;
