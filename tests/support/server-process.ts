import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import net from 'node:net';

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

export interface ServerProcess {
  proc: ChildProcess;
  url: string;
  output: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Spawns a command (default `node server.js`) and waits for its "ready at" line. */
export async function startServer(
  env: Record<string, string>,
  command: string[] = [process.execPath, 'server.js'],
  readyLine = 'ready at'
): Promise<ServerProcess> {
  const port = Number(env.PORT ?? (await freePort()));
  const proc = spawn(command[0]!, command.slice(1), {
    env: { ...process.env, LOG_LEVEL: 'warn', ...env, PORT: String(port) },
    stdio: ['ignore', 'pipe', 'pipe']
  });
  let out = '';
  proc.stdout!.on('data', (d) => (out += d));
  proc.stderr!.on('data', (d) => (out += d));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    proc.on('exit', (code, signal) => resolve({ code, signal }))
  );
  const ready = new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      proc.kill('SIGKILL'); // never leave a half-started child behind
      reject(new Error(`server not ready within 60 s:\n${out}`));
    }, 60_000);
    proc.stdout!.on('data', () => {
      if (out.includes(readyLine)) {
        clearTimeout(timer);
        resolve();
      }
    });
    void exited.then(({ code }) => {
      clearTimeout(timer);
      reject(new Error(`server exited (${code}) before ready:\n${out}`));
    });
  });
  await ready;
  return { proc, url: `http://127.0.0.1:${port}`, output: () => out, exited };
}

/** Runs a command to completion and returns its exit code and output. */
export async function runToExit(env: Record<string, string>, command: string[] = [process.execPath, 'server.js']) {
  const proc = spawn(command[0]!, command.slice(1), { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  proc.stdout.on('data', (d) => (stdout += d));
  proc.stderr.on('data', (d) => (stderr += d));
  const code = await new Promise<number | null>((resolve) => proc.on('exit', (c) => resolve(c)));
  return { code, stdout, stderr };
}

/** PostgreSQL server processes whose data directory lies under dir. */
export function postgresProcessesUnder(dir: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let cmd = '';
    try {
      cmd = readFileSync(`/proc/${entry}/cmdline`, 'utf8');
    } catch {
      continue;
    }
    const argv = cmd.split('\0');
    if (argv[0]?.endsWith('/postgres') && argv.some((a) => a.startsWith(dir))) pids.push(Number(entry));
  }
  return pids;
}
