import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ingestBench, type IngestBench } from './support';
import { formatsInSql } from '../../ingest/backfill-chunks';
import { coreTables } from '../../ingest/catalog';
import { landingTable } from '../../warehouse/landing-tables';

/**
 * Every mapped type through both paths into ClickHouse: rows present before the
 * ingest starts come by the backfill (a plain SELECT), rows written after by the
 * stream (pgoutput); then updates and deletes. ClickHouse must hold exactly
 * PostgreSQL's values.
 */

const TABLE_SQL = `
CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy');
CREATE TABLE type_samples (
  id        int8 PRIMARY KEY,
  price     numeric(12,2) NOT NULL,
  exact     numeric,
  at_tz     timestamptz,
  at_local  timestamp,
  day       date,
  feeling   mood NOT NULL,
  doc       jsonb,
  raw_json  json,
  tags      text[],
  counts    int4[],
  flag      bool,
  small     int2 NOT NULL,
  big       int8,
  ratio     float8,
  approx    real,
  ref       uuid,
  blob      bytea,
  span      interval,
  note      text
)`;

/** Three rows (ids base+1..base+3): every type set, every NULL-able column NULL, and edge values. */
function insertSamples(b: IngestBench, base: number) {
  return b.pool.query(
    `INSERT INTO type_samples VALUES
      ($1, 1234.50, 3.14159265358979323846264338327950288419716939937510, '2026-03-04 05:06:07.123456+02', '2026-03-04 05:06:07.5',
       '2026-03-04', 'happy', '{"b": 1, "a": "x\\ty"}', '{ "keep" :  "spacing", "keep": 2 }',
       ARRAY['plain', 'it''s', 'say "hi"', E'back\\\\slash', E'tab\\there', NULL, 'NULL'], '{1,NULL,3}', true,
       -32768, 9223372036854775807, 'NaN', 0.1, 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', '\\xdeadbeef00', '1 day 02:03:04.5',
       E'line1\\nline2\\ttabbed'),
      ($2, 0, NULL, NULL, NULL, NULL, 'ok', NULL, NULL, NULL, NULL, NULL, 0, NULL, NULL, NULL, NULL, NULL, NULL, NULL),
      ($3, -9999999999.99, -0.000001, '2026-01-01 00:00:00+00', '2299-12-31 23:59:59.999999',
       '1900-01-01', 'sad', '[]', 'null', '{}', '{NULL}', false,
       32767, -9223372036854775808, 'Infinity', '-Infinity', '00000000-0000-0000-0000-000000000000', '\\x', '-00:00:01',
       '')`,
    [base + 1, base + 2, base + 3]
  );
}

async function changeSamples(b: IngestBench, base: number) {
  await b.pool.query(
    `UPDATE type_samples SET price = price + 1, feeling = 'sad', tags = array_append(tags, 'more'), ratio = '-Infinity',
       at_tz = at_tz + interval '1 microsecond', counts = counts || NULL::int4 WHERE id = $1`,
    [base + 1]
  );
  await b.pool.query("UPDATE type_samples SET note = NULL, day = '2299-12-31', exact = 'NaN' WHERE id = $1", [base + 3]);
  await b.pool.query('DELETE FROM type_samples WHERE id = $1', [base + 2]);
}

/** ClickHouse's values in text form (exact decimals and timestamps), arrays as JSON. */
async function landed(b: IngestBench, id: number) {
  const rs = await b.clickhouse.client.query({
    query: `SELECT toString(t.id) AS key, toDecimalString(price, 2) AS price, exact, toString(at_tz) AS at_tz, toString(at_local) AS at_local,
              toString(day) AS day, feeling, toTypeName(feeling) AS feeling_type, doc, raw_json, tags, counts, flag, small, toString(big) AS big,
              toString(ratio) AS ratio, toString(approx) AS approx, toString(ref) AS ref, blob, span, note
            FROM type_samples AS t FINAL WHERE t.id = {id:Int64}`,
    query_params: { id },
    format: 'JSONEachRow'
  });
  const rows = await rs.json<Record<string, unknown>>();
  return rows[0];
}

/** The first sample as inserted (before changeSamples). */
const asInserted = {
  price: '1234.50',
  at_tz: '2026-03-04 03:06:07.123456',
  feeling: 'happy',
  tags: ['plain', "it's", 'say "hi"', 'back\\slash', 'tab\there', null, 'NULL'],
  counts: [1, null, 3],
  ratio: 'nan',
  approx: '0.1'
};

const updatedFirst = (id: number) => ({
  key: String(id),
  price: '1235.50',
  exact: '3.14159265358979323846264338327950288419716939937510',
  at_tz: '2026-03-04 03:06:07.123457',
  at_local: '2026-03-04 05:06:07.500000',
  day: '2026-03-04',
  feeling: 'sad',
  feeling_type: 'LowCardinality(String)',
  doc: '{"a": "x\\ty", "b": 1}',
  raw_json: '{ "keep" :  "spacing", "keep": 2 }',
  tags: ['plain', "it's", 'say "hi"', 'back\\slash', 'tab\there', null, 'NULL', 'more'],
  counts: [1, null, 3, null],
  flag: true,
  small: -32768,
  big: '9223372036854775807',
  ratio: '-inf',
  approx: '0.1',
  ref: 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11',
  blob: '\\xdeadbeef00',
  span: '1 day 02:03:04.5',
  note: 'line1\nline2\ttabbed'
});

const updatedThird = (id: number) => ({
  key: String(id),
  price: '-9999999999.99',
  exact: 'NaN',
  at_tz: '2026-01-01 00:00:00.000000',
  at_local: '2299-12-31 23:59:59.999999',
  day: '2299-12-31',
  feeling: 'sad',
  feeling_type: 'LowCardinality(String)',
  doc: '[]',
  raw_json: 'null',
  tags: [],
  counts: [null],
  flag: false,
  small: 32767,
  big: '-9223372036854775808',
  ratio: 'inf',
  approx: '-inf',
  ref: '00000000-0000-0000-0000-000000000000',
  blob: '\\x',
  span: '-00:00:01',
  note: null
});

let b: IngestBench;
beforeAll(async () => {
  b = await ingestBench();
  await b.pool.query(TABLE_SQL);
  await insertSamples(b, 0); // backfill path
  // The same rows without the arrays: PostgreSQL formats their fields (the arrays' table goes by rows).
  await b.pool.query(`CREATE TABLE scalar_samples (LIKE type_samples INCLUDING ALL);
    ALTER TABLE scalar_samples DROP COLUMN tags, DROP COLUMN counts;
    INSERT INTO scalar_samples SELECT id, price, exact, at_tz, at_local, day, feeling, doc, raw_json, flag, small, big, ratio, approx, ref, blob, span, note FROM type_samples`);
  b.startPipeline();
  await b.settle();
});
afterAll(() => b?.close());

describe('type mapping end to end', () => {
  it('backfills every type exactly', async () => {
    expect(await landed(b, 1)).toMatchObject(asInserted);
    expect(await landed(b, 2)).toMatchObject({ exact: null, at_tz: null, day: null, tags: [], counts: [], flag: null, big: null, ratio: null, note: null });
    await b.expectEqual(['type_samples']);
  });

  it('backfills every scalar type exactly when PostgreSQL writes the fields', async () => {
    const tables = new Map((await coreTables(b.pool)).map((t) => [t.name, landingTable(t)]));
    expect(formatsInSql(tables.get('scalar_samples')!)).toBe(true);
    expect(formatsInSql(tables.get('type_samples')!)).toBe(false);
    const rows = await b.chRows<Record<string, unknown>>(
      `SELECT toString(id) AS id, toString(at_tz) AS at_tz, toString(at_local) AS at_local, toString(day) AS day, toString(ratio) AS ratio, toString(approx) AS approx,
              flag, feeling, doc, blob, span, note, toDecimalString(price, 2) AS price, exact
       FROM scalar_samples FINAL ORDER BY id`
    );
    expect(rows[0]).toEqual({
      id: '1',
      at_tz: asInserted.at_tz,
      at_local: '2026-03-04 05:06:07.500000',
      day: '2026-03-04',
      ratio: 'nan',
      approx: '0.1',
      flag: true,
      feeling: 'happy',
      doc: '{"a": "x\\ty", "b": 1}',
      blob: '\\xdeadbeef00',
      span: '1 day 02:03:04.5',
      note: 'line1\nline2\ttabbed',
      price: '1234.50',
      exact: '3.14159265358979323846264338327950288419716939937510'
    });
    expect(rows[1]).toMatchObject({ at_tz: null, day: null, ratio: null, flag: null, note: null, exact: null });
    expect(rows[2]).toMatchObject({ at_local: '2299-12-31 23:59:59.999999', day: '1900-01-01', ratio: 'inf', approx: '-inf', note: '' });
    await b.expectEqual(['scalar_samples']);
  });

  it('streams inserts, updates and deletes of every type exactly', async () => {
    await insertSamples(b, 10); // stream path
    await b.settle();
    expect(await landed(b, 11)).toMatchObject(asInserted);
    expect(await landed(b, 12)).toMatchObject({ price: '0.00', feeling: 'ok', tags: [], counts: [], span: null });
    await b.expectEqual(['type_samples']);

    await changeSamples(b, 0); // rows that came by the backfill, changed through the stream
    await changeSamples(b, 10);
    await b.settle();

    for (const base of [0, 10]) {
      expect(await landed(b, base + 1)).toEqual(updatedFirst(base + 1));
      expect(await landed(b, base + 3)).toEqual(updatedThird(base + 3));
      expect(await landed(b, base + 2)).toBeUndefined(); // deleted
    }
    const ids = await b.chRows<{ id: string }>('SELECT id FROM type_samples FINAL ORDER BY id');
    expect(ids.map((r) => Number(r.id))).toEqual([1, 3, 11, 13]);
    await b.expectEqual();
  });
});
