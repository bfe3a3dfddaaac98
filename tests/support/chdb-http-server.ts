// TEST SUPPORT ONLY. ClickHouse's HTTP interface (the part @clickhouse/client 1.x uses) served
// over chDB, a real ClickHouse engine, from a child process. chDB is in-process and binds one
// data directory per process, so tests that need "ClickHouse is down" or "two ingest processes
// share one ClickHouse" run this script and point CLICKHOUSE_URL at it.
//
//   node --import tsx tests/support/chdb-http-server.ts --path <dataDir> [--port <port>] [--init-sql <sql>]...
//   (or env CHDB_HTTP_PATH / CHDB_HTTP_PORT; port 0 or unset: a free one). Prints
//   "chdb-http-server listening on http://127.0.0.1:<port>" once it serves. --init-sql runs
//   before the first request (e.g. SYSTEM STOP MERGES, which a restart would otherwise undo).
//
// What it speaks: GET/HEAD /ping; GET or POST / with the query in the `query` URL parameter
// and/or the body (both: parameter, newline, body, which is how inserts send their data),
// `param_<name>` query parameters, `database`, `query_id`, `default_format`, every other URL
// parameter as a setting (applied with SET and reset with SET ... = DEFAULT on the next
// request that does not carry it, so settings never leak between requests), gzip request
// bodies and gzip responses (enable_http_compression=1). Errors answer HTTP 500 with
// X-ClickHouse-Exception-Code and the engine's "Code: N. DB::Exception: ... (TYPE)" text,
// which the client turns into a ClickHouseError. Requests run one at a time (chDB runs one
// query at a time per session anyway). Not implemented: sessions, multipart parameters,
// progress headers.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import zlib from 'node:zlib';

/** URL parameters that are not settings. */
const NOT_SETTINGS = new Set(['query', 'query_id', 'database', 'default_format', 'session_id', 'session_timeout', 'session_check', 'role', 'user', 'password', 'quota_key', 'compress', 'decompress', 'buffer_size']);
/** Settings of the HTTP layer only; the embedded engine does not know them. */
const HTTP_ONLY = new Set([
  'wait_end_of_query',
  'send_progress_in_http_headers',
  'http_headers_progress_interval_ms',
  'http_send_progress_interval_ms',
  'http_response_buffer_size',
  'enable_http_compression',
  'http_zlib_compression_level',
  'http_native_compression_disable_checksumming_on_decompress',
  'http_response_compression_method'
]);
const LINE_FORMATS = /^(TabSeparated|TSV|JSONEachRow|JSONCompactEachRow|CSV|JSONStringsEachRow)$/i;

interface ChdbResultLike {
  rowsRead: number;
  bytesRead: number;
  elapsed: number;
  bytes(): Uint8Array;
}
interface ChdbSessionLike {
  queryAsync(q: string, o?: { format?: string }): Promise<ChdbResultLike>;
  queryBindAsync(q: string, p: object, o?: { format?: string }): Promise<ChdbResultLike>;
  close(): void;
}

const quote = (v: string) => `'${v.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
const ident = (v: string) => `\`${v.replace(/\\/g, '\\\\').replace(/`/g, '\\`')}\``;

/** A URL query parameter is in ClickHouse's escaped text form; chDB's binder escapes again. */
function unescapeParam(v: string): string | null {
  if (v === '\\N') return null;
  const map: Record<string, string> = { t: '\t', n: '\n', r: '\r', b: '\b', f: '\f', '0': '\0' };
  return v.replace(/\\(.)/gs, (_, c: string) => map[c] ?? c);
}

function errorText(err: unknown): { code: string; text: string } {
  const message = err instanceof Error ? err.message : String(err);
  const m = /Code: (\d+)\./.exec(message);
  if (m) return { code: m[1]!, text: message };
  return { code: '1001', text: `Code: 1001. DB::Exception: ${message.replace(/\(/g, '[').replace(/\)/g, ']')}. (STD_EXCEPTION)` };
}

class ChdbHttpHandler {
  /** Settings the session holds now (SET persists in a chDB session). */
  #applied = new Map<string, string>();
  #database = 'default';
  #tail: Promise<unknown> = Promise.resolve();

  constructor(private readonly session: ChdbSessionLike) {}

  /** One request at a time: a request's SET/USE and its query must not interleave with another's. */
  run<T>(work: () => Promise<T>): Promise<T> {
    const next = this.#tail.then(work, work);
    this.#tail = next.catch(() => undefined);
    return next;
  }

  async #prepare(settings: Map<string, string>, database: string): Promise<void> {
    const changes: string[] = [];
    for (const k of this.#applied.keys()) if (!settings.has(k)) changes.push(`${k} = DEFAULT`);
    for (const [k, v] of settings) if (this.#applied.get(k) !== v) changes.push(`${k} = ${quote(v)}`);
    if (changes.length > 0) {
      // The session's state is unknown if SET fails halfway: reset every setting we ever touched next time.
      const touched = new Set([...this.#applied.keys(), ...settings.keys()]);
      this.#applied = new Map([...touched].map((k) => [k, '\u0000unknown']));
      await this.session.queryAsync(`SET ${changes.join(', ')}`);
      this.#applied = new Map(settings);
    }
    if (database !== this.#database) {
      this.#database = '\u0000unknown';
      await this.session.queryAsync(`USE ${ident(database)}`);
      this.#database = database;
    }
  }

  async handle(req: http.IncomingMessage, body: Buffer, res: http.ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (url.pathname === '/ping' || (url.pathname === '/' && req.method === 'GET' && !url.searchParams.has('query'))) {
      res.writeHead(200, { 'content-type': 'text/plain; charset=UTF-8' }).end('Ok.\n');
      return;
    }
    if (url.pathname !== '/') {
      res.writeHead(404).end('Code: 1000. DB::Exception: There is no handle ' + url.pathname + '. (UNKNOWN)\n');
      return;
    }
    if (String(req.headers['content-type'] ?? '').startsWith('multipart/')) throw new Error('Code: 48. DB::Exception: multipart parameters are not implemented by the test server. (NOT_IMPLEMENTED)');
    const p = url.searchParams;
    const settings = new Map<string, string>();
    const params: Record<string, string | null> = {};
    for (const [k, v] of p) {
      if (k.startsWith('param_')) params[k.slice(6)] = unescapeParam(v);
      else if (!NOT_SETTINGS.has(k) && !HTTP_ONLY.has(k)) settings.set(k, v);
    }
    const encoding = req.headers['content-encoding'];
    const data = encoding === 'gzip' ? zlib.gunzipSync(body) : body;
    const queryParam = p.get('query');
    const text = data.toString('utf8');
    const sql = queryParam ? (text.length > 0 ? `${queryParam}\n${text}` : queryParam) : text;
    const isInsert = queryParam !== null && /^\s*INSERT\b/i.test(queryParam);
    const isInsertWithData = isInsert && text.length > 0;
    const insertFormat = /\bFORMAT\s+(\w+)\s*$/i.exec(queryParam ?? '')?.[1];
    const queryId = p.get('query_id') ?? randomUUID();
    // The output format (not an insert's data: its tail is no FORMAT clause of ours).
    const format = (isInsert ? undefined : /\bFORMAT\s+(\w+)\s*;?\s*$/i.exec(sql)?.[1]) ?? p.get('default_format') ?? 'TabSeparated';
    const compress = p.get('enable_http_compression') === '1' && String(req.headers['accept-encoding'] ?? '').includes('gzip');

    const result = await this.run(async () => {
      await this.#prepare(settings, p.get('database') ?? 'default');
      if (isInsert && text.trim().length === 0) return null; // an empty insert is a no-op
      return Object.keys(params).length > 0 ? this.session.queryBindAsync(sql, params, { format }) : this.session.queryAsync(sql, { format });
    });
    const out = Buffer.from(result?.bytes() ?? new Uint8Array());
    const written = isInsertWithData && insertFormat && LINE_FORMATS.test(insertFormat) ? text.split('\n').filter((l) => l.length > 0).length : 0;
    const summary = {
      read_rows: String(isInsertWithData ? written : (result?.rowsRead ?? 0)),
      read_bytes: String(isInsertWithData ? data.length : (result?.bytesRead ?? 0)),
      written_rows: String(written),
      written_bytes: String(isInsertWithData ? data.length : 0),
      total_rows_to_read: '0',
      result_rows: String(isInsertWithData ? 0 : (result?.rowsRead ?? 0)),
      result_bytes: String(out.length),
      elapsed_ns: String(Math.round((result?.elapsed ?? 0) * 1e9))
    };
    const headers: http.OutgoingHttpHeaders = {
      'content-type': 'text/plain; charset=UTF-8',
      'x-clickhouse-query-id': queryId,
      'x-clickhouse-format': format,
      'x-clickhouse-timezone': 'UTC',
      'x-clickhouse-summary': JSON.stringify(summary)
    };
    if (compress) {
      headers['content-encoding'] = 'gzip';
      res.writeHead(200, headers).end(zlib.gzipSync(out));
    } else {
      res.writeHead(200, headers).end(out);
    }
  }
}

async function main(): Promise<void> {
  const arg = (name: string) => {
    const i = process.argv.indexOf(`--${name}`);
    return i >= 0 ? process.argv[i + 1] : undefined;
  };
  const dataDir = arg('path') ?? process.env.CHDB_HTTP_PATH;
  if (!dataDir) throw new Error('chdb-http-server: --path <dataDir> (or CHDB_HTTP_PATH) is required');
  const port = Number(arg('port') ?? process.env.CHDB_HTTP_PORT ?? 0);
  const { Session } = (await import('chdb')) as unknown as { Session: new (path: string) => ChdbSessionLike };
  const session = new Session(path.resolve(dataDir));
  for (let i = 0; i < process.argv.length; i++) if (process.argv[i] === '--init-sql') await session.queryAsync(process.argv[i + 1]!);
  const handler = new ChdbHttpHandler(session);
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      handler.handle(req, Buffer.concat(chunks), res).catch((err: unknown) => {
        const { code, text } = errorText(err);
        if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain; charset=UTF-8', 'x-clickhouse-exception-code': code });
        res.end(text.endsWith('\n') ? text : `${text}\n`);
      });
    });
  });
  server.keepAliveTimeout = 10_000; // longer than the client's idle socket TTL (2.5 s), as a real server
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', resolve);
  });
  const bound = (server.address() as { port: number }).port;
  process.stdout.write(`chdb-http-server listening on http://127.0.0.1:${bound}\n`);
  const shutdown = () => {
    server.close();
    server.closeAllConnections();
    void handler.run(async () => session.close()).finally(() => process.exit(0));
  };
  process.on('SIGTERM', shutdown);
  process.on('SIGINT', shutdown);
}

// ---- used by tests: spawn the script as a child process ----

export interface ChdbHttpServer {
  url: string;
  port: number;
  dataDir: string;
  proc: ChildProcess;
  output(): string;
  exited: Promise<void>;
  /** SIGKILL: ClickHouse disappears mid-request, as in a crash. */
  kill(): Promise<void>;
  /** SIGTERM: a clean stop. */
  stop(): Promise<void>;
}

const SELF = fileURLToPath(import.meta.url);

/**
 * Starts the server on dataDir (port 0: a free one; give the old port to come back on it).
 * A plain `node --import tsx` process, not the tsx CLI (which forks the script into a
 * grandchild that a SIGKILL of the CLI would leave running).
 */
export async function startChdbHttpServer(dataDir: string, options: { port?: number; initSql?: string[] } = {}): Promise<ChdbHttpServer> {
  const args = [SELF, '--path', dataDir, '--port', String(options.port ?? 0), ...(options.initSql ?? []).flatMap((q) => ['--init-sql', q])];
  const proc = spawn(process.execPath, ['--import', 'tsx', ...args], {
    stdio: ['ignore', 'pipe', 'pipe']
  });
  let out = '';
  const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
  const bound = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`chdb-http-server not listening within 60 s:\n${out}`)), 60_000);
    const onData = (d: Buffer) => {
      out += d;
      const m = /listening on http:\/\/127\.0\.0\.1:(\d+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(Number(m[1]));
      }
    };
    proc.stdout!.on('data', onData);
    proc.stderr!.on('data', (d: Buffer) => (out += d));
    void exited.then(() => {
      clearTimeout(timer);
      reject(new Error(`chdb-http-server exited before listening:\n${out}`));
    });
  });
  const signal = async (s: NodeJS.Signals) => {
    if (proc.exitCode === null && proc.signalCode === null) proc.kill(s);
    const timer = setTimeout(() => proc.kill('SIGKILL'), 10_000); // a clean stop that hangs
    await exited;
    clearTimeout(timer);
  };
  return {
    url: `http://127.0.0.1:${bound}`,
    port: bound,
    dataDir,
    proc,
    output: () => out,
    exited,
    kill: () => signal('SIGKILL'),
    stop: () => signal('SIGTERM')
  };
}

if (process.argv[1] && path.resolve(process.argv[1]) === SELF) {
  main().catch((err: unknown) => {
    process.stderr.write(`chdb-http-server: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  });
}
