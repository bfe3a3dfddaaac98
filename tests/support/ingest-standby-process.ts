import { spawn, type ChildProcess } from 'node:child_process';
import type { IngestProgress } from '../../schemas/ingest';
import { freePort } from './server-process';

/**
 * The standalone ingest (`ingest/main.ts`) as a child process, for the standby test.
 * Run as `node --import tsx`, not through the tsx CLI: the CLI forks the script into
 * a grandchild, and a SIGKILL of the CLI would leave the real ingest running.
 */
export interface IngestChild {
  name: string;
  proc: ChildProcess;
  output(): string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** The pipeline's progress from /healthz; null when it does not answer. */
  progress(): Promise<IngestProgress | null>;
  /** Sends the signal and waits for the exit (a SIGTERM not obeyed within 10 s is followed by SIGKILL). */
  kill(signal: NodeJS.Signals): Promise<void>;
}

export async function startIngestChild(name: string, env: { DATABASE_URL: string; CLICKHOUSE_URL: string; INGEST_SLOT: string }): Promise<IngestChild> {
  const port = await freePort();
  const proc = spawn(process.execPath, ['--import', 'tsx', 'ingest/main.ts'], {
    env: { ...process.env, ...env, PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'warn', NODE_ENV: 'test' },
    stdio: ['ignore', 'pipe', 'pipe']
  });
  let out = '';
  proc.stdout!.on('data', (d: Buffer) => (out += d));
  proc.stderr!.on('data', (d: Buffer) => (out += d));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => proc.once('exit', (code, signal) => resolve({ code, signal })));
  let gone = false;
  void exited.then(() => (gone = true));

  const progress = async (): Promise<IngestProgress | null> => {
    if (gone) return null;
    try {
      const res = await fetch(`http://127.0.0.1:${port}/healthz`, { signal: AbortSignal.timeout(2_000) });
      return ((await res.json()) as { ingest: IngestProgress }).ingest;
    } catch {
      return null;
    }
  };
  const deadline = Date.now() + 60_000;
  while ((await progress()) === null) {
    if (gone) throw new Error(`ingest ${name} exited before serving /healthz:\n${out}`);
    if (Date.now() > deadline) throw new Error(`ingest ${name} did not serve /healthz within 60 s:\n${out}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    name,
    proc,
    output: () => out,
    exited,
    progress,
    async kill(signal) {
      if (!gone) proc.kill(signal);
      const timer = setTimeout(() => proc.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    }
  };
}
