// One embedded PostgreSQL per test run; each test file makes its own database in it.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pino from 'pino';
import type { TestProject } from 'vitest/node';
import { startEmbeddedPostgres, type PostgresEngine } from '../../platform/postgres';

declare module 'vitest' {
  export interface ProvidedContext {
    postgresUrl: string;
  }
}

let engine: PostgresEngine | undefined;
let dir: string | undefined;

export async function setup(project: TestProject) {
  dir = await mkdtemp(path.join(tmpdir(), 'opstower-test-pg-'));
  engine = await startEmbeddedPostgres({
    dataDir: dir,
    log: pino({ level: 'warn' }),
    // Throwaway cluster: no fsync. synchronous_commit stays on: logical decoding reads only flushed WAL.
    extraFlags: ['-c', 'fsync=off', '-c', 'full_page_writes=off']
  });
  project.provide('postgresUrl', engine.url);
}

export async function teardown() {
  await engine?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
}
