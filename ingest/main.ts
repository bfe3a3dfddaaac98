// `npm run ingest`: the CDC ingest as its own process (docker-compose's `ingest` service).
// It streams DATABASE_URL's core tables into CLICKHOUSE_URL (or, for a single local
// process, chDB under DATA_DIR), serves /metrics and /healthz on PORT, and stops
// cleanly on SIGINT/SIGTERM. A second instance on the same slot waits as a standby.
import http from 'node:http';
import { ConfigError, loadConfig } from '../schemas/config';
import { createLogger } from '../platform/log';
import { metrics } from '../platform/metrics';
import { assertLogicalWal } from '../platform/postgres';
import { connectClickHouse, openEmbeddedClickHouse, type ClickHouseEngine } from '../platform/clickhouse';
import { migratePostgres } from '../schemas/db/migrate';
import { migrateClickHouse } from '../warehouse/migrate';
import { IngestPipeline } from './pipeline';
import { progressPrinter } from './progress-bar';
import { reportProgressFrom } from './ingest-metrics';

function fail(message: string, code = 1): never {
  process.stderr.write(`opstower ingest: ${message}\n`);
  process.exit(code);
}

let config;
try {
  config = loadConfig();
} catch (err) {
  fail(err instanceof ConfigError ? err.message : String(err));
}
if (!config.DATABASE_URL) fail('DATABASE_URL is unset; the standalone ingest streams from a PostgreSQL server (postgres://user:password@host:5432/db)');
const databaseUrl = config.DATABASE_URL;
const log = createLogger(config).child({ module: 'ingest' });

try {
  await assertLogicalWal(databaseUrl);
  await migratePostgres(databaseUrl);
} catch (err) {
  fail((err as Error).message);
}

let clickhouse: ClickHouseEngine | undefined;
const pipeline = new IngestPipeline({
  databaseUrl,
  slot: config.INGEST_SLOT,
  log,
  // Opened only once this process is the active consumer: an embedded chDB directory
  // can be held by one process at a time, and a standby must not take it.
  clickhouse: async () => {
    clickhouse = config.CLICKHOUSE_URL ? connectClickHouse(config.CLICKHOUSE_URL) : await openEmbeddedClickHouse(config.DATA_DIR);
    await migrateClickHouse(clickhouse.client);
    return clickhouse.client;
  },
  onBackfillProgress: progressPrinter(process.stderr)
});
reportProgressFrom(() => pipeline.progress());
pipeline.on('state', (state) => log.info({ state }, `ingest ${state}`));

const server = http.createServer(async (req, res) => {
  if (req.url === '/metrics') {
    res.writeHead(200, { 'content-type': metrics.contentType }).end(await metrics.metrics());
  } else if (req.url === '/healthz') {
    const p = pipeline.progress();
    res.writeHead(p.state === 'failed' ? 503 : 200, { 'content-type': 'application/json' }).end(JSON.stringify({ status: p.state === 'failed' ? 'unavailable' : 'ok', ingest: p }));
  } else {
    res.writeHead(404).end();
  }
});
server.on('error', (err) => fail(`cannot serve /metrics on ${config.HOST}:${config.PORT}: ${err.message}`));
server.listen(config.PORT, config.HOST, () =>
  process.stdout.write(`opstower ingest serving /metrics and /healthz at http://${config.HOST === '0.0.0.0' ? 'localhost' : config.HOST}:${config.PORT}\n`)
);

let stopping = false;
async function shutdown(code: number): Promise<void> {
  if (stopping) return;
  stopping = true;
  await pipeline.stop();
  server.close();
  await clickhouse?.close().catch(() => undefined);
  process.exit(code);
}
process.on('SIGINT', () => void shutdown(0));
process.on('SIGTERM', () => void shutdown(0));

pipeline.start();
await pipeline.done;
if (pipeline.state === 'failed') {
  process.stderr.write(`opstower ingest: stopped: ${pipeline.progress().lastError}\n`);
  await shutdown(1);
}
