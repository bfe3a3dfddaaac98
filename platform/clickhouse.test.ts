import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openEmbeddedClickHouse, type ClickHouseEngine } from './clickhouse';

let dir: string;
let engine: ClickHouseEngine;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'opstower-chpool-'));
  engine = await openEmbeddedClickHouse(dir);
});

afterAll(async () => {
  await engine?.close();
  await rm(dir, { recursive: true, force: true });
});

const slow = (ms: number) => `SELECT count() AS v FROM numbers(${ms}) WHERE sleepEachRow(0.001) = 0`;

async function value(query: string): Promise<number> {
  const rs = await engine.client.query({ query, format: 'JSONEachRow', clickhouse_settings: { output_format_json_quote_64bit_integers: 0 } });
  return (await rs.json<{ v: number }>())[0]!.v;
}

describe('embedded ClickHouse connections', () => {
  it('run a quick query beside a slow one, not after it', async () => {
    const finished: string[] = [];
    const long = value(slow(300)).then(() => finished.push('slow'));
    await new Promise((r) => setTimeout(r, 20));
    await value('SELECT 1 AS v').then(() => finished.push('quick'));
    await long;
    expect(finished).toEqual(['quick', 'slow']);
  });

  it('queue calls beyond the connections and answer each one, in its own result', async () => {
    const results = await Promise.all(Array.from({ length: 9 }, (_, i) => value(i % 3 === 0 ? slow(100 + i) : `SELECT ${i} AS v`)));
    expect(results).toEqual(Array.from({ length: 9 }, (_, i) => (i % 3 === 0 ? 100 + i : i)));
  });

  it('share one data directory: a table written on one connection is read on the others', async () => {
    await engine.client.command({ query: 'CREATE TABLE shared (x Int64) ENGINE = MergeTree ORDER BY x' });
    await engine.client.insert({ table: 'shared', values: [{ x: 1 }, { x: 2 }], format: 'JSONEachRow' });
    const counts = await Promise.all(Array.from({ length: 6 }, () => value('SELECT toInt64(count()) AS v FROM shared')));
    expect(counts).toEqual([2, 2, 2, 2, 2, 2]);
  });
});
