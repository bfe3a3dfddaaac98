import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BACKGROUND_PRIORITY, openEmbeddedClickHouse, type ClickHouseEngine } from './clickhouse';

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

async function one(query: string, params: Record<string, unknown>): Promise<unknown> {
  const rs = await engine.client.query({ query, query_params: params, format: 'JSONEachRow', clickhouse_settings: { output_format_json_quote_64bit_integers: 0 } });
  const [row] = await rs.json<{ v: unknown }>();
  return row!.v;
}

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

  it('keep a connection free for the landing and the boards while background work fills the others', async () => {
    const finished: string[] = [];
    const background = Array.from({ length: 3 }, (_, i) =>
      engine.client
        .query({ query: slow(300), format: 'JSONEachRow', clickhouse_settings: BACKGROUND_PRIORITY })
        .then((rs) => rs.json())
        .then(() => finished.push(`background ${i}`))
    );
    await new Promise((r) => setTimeout(r, 20));
    await value('SELECT 1 AS v').then(() => finished.push('quick'));
    await Promise.all(background);
    expect(finished[0]).toBe('quick');
    expect(finished.slice(1).sort()).toEqual(['background 0', 'background 1', 'background 2']);
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

describe('query parameters inlined for chDB (clickhouse-params.ts)', () => {
  const tricky = [`it's`, 'back\\slash', `\\'; DROP TABLE t; --`, 'tab\there\nnew line', 'ünïcødé ✓', '{x:String}', ''];

  it.each(tricky)('keeps the string %j exactly, inside its quotes', async (s) => {
    expect(await one('SELECT {s:String} AS v', { s })).toBe(s);
    expect(await one('SELECT {a:Array(String)} AS v', { a: [s, 'b'] })).toEqual([s, 'b']);
  });

  it('types numbers, dates, times, arrays and nulls as the placeholder says', async () => {
    expect(await one('SELECT {n:UInt64} AS v', { n: '18446744073709551615' })).toBe(18446744073709551615);
    expect(await one('SELECT toTypeName({n:Int64}) AS v', { n: -5 })).toBe('Int64');
    expect(await one('SELECT {f:Float64} * 2 AS v', { f: 1.25 })).toBe(2.5);
    expect(await one("SELECT toString({t:DateTime64(6, 'UTC')}) AS v", { t: '2026-11-23 06:00:00.123456' })).toBe('2026-11-23 06:00:00.123456');
    expect(await one("SELECT toString({t:Array(DateTime64(6, 'UTC'))}) AS v", { t: ['2026-01-01 00:00:00', '2026-01-02 00:00:00'] })).toBe(
      "['2026-01-01 00:00:00.000000','2026-01-02 00:00:00.000000']"
    );
    expect(await one('SELECT {x:Nullable(Int64)} AS v', { x: null })).toBeNull();
    expect(await one('SELECT 3 IN {ids:Array(Int64)} AS v', { ids: [1, 2, 3] })).toBe(1);
    expect(await one('SELECT 4 IN {ids:Array(Int32)} AS v', { ids: [] })).toBe(0);
  });
});
