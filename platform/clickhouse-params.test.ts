import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inlineQueryParams, QueryParamError } from './clickhouse-params';
import { openEmbeddedClickHouse, type ClickHouseEngine } from './clickhouse';

let dir: string;
let engine: ClickHouseEngine;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'opstower-chparams-'));
  engine = await openEmbeddedClickHouse(dir);
});

afterAll(async () => {
  await engine?.close();
  await rm(dir, { recursive: true, force: true });
});

async function one(query: string, params: Record<string, unknown>): Promise<unknown> {
  const rs = await engine.client.query({ query, query_params: params, format: 'JSONEachRow', clickhouse_settings: { output_format_json_quote_64bit_integers: 0 } });
  const [row] = await rs.json<{ v: unknown }>();
  return row!.v;
}

describe('query parameters inlined for chDB', () => {
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

  it('refuses a placeholder without a value, and identifiers', () => {
    expect(() => inlineQueryParams('SELECT {a:Int64}', {})).toThrow(QueryParamError);
    expect(() => inlineQueryParams('SELECT * FROM {t:Identifier}', { t: 'x' })).toThrow(/Identifier/);
  });

  it('leaves SQL without placeholders as it is', () => {
    expect(inlineQueryParams("SELECT '{not a placeholder}', {}", { a: 1 })).toBe("SELECT '{not a placeholder}', {}");
  });
});
