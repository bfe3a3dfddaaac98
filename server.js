// Production entry: one HTTP server carrying the SvelteKit handler (adapter-node)
// and Socket.IO. Importing the handler runs SvelteKit's init hook, which starts
// the runtime (config, PostgreSQL, ClickHouse, live hub).
import { createServer } from 'node:http';
import { attachSocketServer, processState } from './app/lib/server/live/attach.js';

const httpServer = createServer();
const io = attachSocketServer(httpServer);

/**
 * Known start-up failures (bad configuration, a database refused) are one line, no stack.
 * @param {unknown} err
 * @returns {never}
 */
function fail(err) {
  const message = err instanceof Error ? err.message : String(err);
  const known = err instanceof Error && /^(ConfigError|PostgresStartError)$/.test(err.name);
  process.stderr.write(`opstower: ${known ? message : message.split('\n')[0]}\n`);
  if (!known && err instanceof Error && err.stack) process.stderr.write(err.stack + '\n');
  process.exit(1);
}

// Without ORIGIN, adapter-node takes the scheme from PROTOCOL_HEADER, else assumes
// https, and SvelteKit then refuses form posts from http://localhost as cross-site.
// This server speaks plain http, so it says so in a header of its own, set on every
// request here and never taken from the client. Behind a TLS proxy, set ORIGIN.
const OWN_PROTOCOL_HEADER = 'x-opstower-protocol';
const ownProtocol = !process.env.ORIGIN && !process.env.PROTOCOL_HEADER;
if (ownProtocol) process.env.PROTOCOL_HEADER = OWN_PROTOCOL_HEADER;

// A computed specifier keeps the type checker out of the generated bundle.
const HANDLER = `./${process.env.OPSTOWER_BUILD_DIR ?? 'build'}/handler.js`;
/** @type {import('node:http').RequestListener} */
let handler;
try {
  ({ handler } = await import(HANDLER));
} catch (err) {
  await /** @type {{ shutdown?: () => Promise<void> } | undefined} */ (processState().runtime)?.shutdown?.();
  fail(err);
}

const runtime = /** @type {import('./app/lib/server/runtime').Runtime} */ (processState().runtime);
const { HOST, PORT } = runtime.config;
httpServer.on('request', (req, res) => {
  if (ownProtocol) req.headers[OWN_PROTOCOL_HEADER] = 'http';
  handler(req, res);
});

let stopping = false;
/** @param {NodeJS.Signals} signal */
async function stop(signal) {
  if (stopping) return;
  stopping = true;
  runtime.log.info({ signal }, 'stopping');
  const hardStop = setTimeout(() => {
    runtime.log.error('shutdown took longer than 20 s; exiting');
    process.exit(1);
  }, 20_000);
  hardStop.unref();
  await new Promise((resolve) => {
    io.close(() => resolve(undefined)); // closes the HTTP server too
    httpServer.closeAllConnections();
  });
  await runtime.shutdown();
  process.exit(0);
}
process.on('SIGINT', () => void stop('SIGINT'));
process.on('SIGTERM', () => void stop('SIGTERM'));

httpServer.on('error', async (err) => {
  await runtime.shutdown();
  fail(new Error(`PORT: cannot listen on ${HOST}:${PORT}: ${err.message}`));
});
httpServer.listen(PORT, HOST, () => {
  const shown = HOST === '0.0.0.0' || HOST === '::' ? 'localhost' : HOST;
  runtime.log.info({ host: HOST, port: PORT }, 'listening');
  process.stdout.write(`opstower control tower ready at http://${shown}:${PORT}\n`);
});
