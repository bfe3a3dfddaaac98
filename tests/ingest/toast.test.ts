import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ingestBench, type IngestBench } from './support';

/**
 * Unchanged TOAST values: an UPDATE that leaves a large (out-of-line) value alone
 * does not resend it ('u' in pgoutput). The ingest must still land the full row:
 * from ClickHouse when the row landed earlier, from the batch when it was written
 * in the same transaction, from the old tuple under REPLICA IDENTITY FULL.
 */

/**
 * ~100 KB of random hex: too large to stay in the row even compressed, so PostgreSQL
 * TOASTs it. Tab, newline, quote and backslash in the middle: the value goes through
 * ClickHouse's TabSeparated output and back when it is resolved from there.
 */
const SPECIALS = "\t'quoted'\\back\nslash";
const bigText = () => {
  const hex = randomBytes(50_000).toString('hex');
  return `${hex.slice(0, 50_000)}${SPECIALS}${hex.slice(50_000)}`;
};
const BODY_LENGTH = 100_000 + SPECIALS.length;

let b: IngestBench;
const bodies = new Map<string, string>();

async function toastedRows(table: string): Promise<number> {
  const { rows } = await b.pool.query<{ toast: string }>('SELECT reltoastrelid::regclass::text AS toast FROM pg_class WHERE relname = $1', [table]);
  const { rows: n } = await b.pool.query<{ n: string }>(`SELECT count(DISTINCT chunk_id) AS n FROM ${rows[0]!.toast}`);
  return Number(n[0]!.n);
}

/** The after-image the change log kept for a row's changes: an unchanged TOAST value is left out of it. */
async function logged(table: string, id: number): Promise<{ op: string; after: string | null }[]> {
  return b.chRows(`SELECT op, after FROM change_log WHERE table_name = '${table}' AND JSONExtractString(pk, 'id') = '${id}' ORDER BY commit_lsn, position`);
}

async function landedBodies(table: string) {
  const rows = await b.chRows<{ id: number; title: string; body: string | null }>(`SELECT id, title, body FROM ${table} FINAL ORDER BY id`);
  return rows.map((r) => ({ id: r.id, title: r.title, bodyMatches: r.body === bodies.get(`${table}:${r.id}`), bodyLength: r.body?.length ?? null }));
}

async function insertDoc(table: string, id: number, title: string, client: { query: IngestBench['pool']['query'] } = b.pool) {
  const body = bigText();
  bodies.set(`${table}:${id}`, body);
  await client.query(`INSERT INTO ${table} (id, title, body) VALUES ($1, $2, $3)`, [id, title, body]);
}

beforeAll(async () => {
  b = await ingestBench();
  await b.pool.query('CREATE TABLE documents (id int PRIMARY KEY, title text NOT NULL, body text)');
  await b.pool.query('CREATE TABLE full_documents (id int PRIMARY KEY, title text NOT NULL, body text)');
  await b.pool.query('ALTER TABLE full_documents REPLICA IDENTITY FULL');
  await b.pool.query('CREATE TABLE notes (slug text PRIMARY KEY, title text NOT NULL, body text)');
  await insertDoc('documents', 1, 'backfilled');
  await insertDoc('full_documents', 1, 'backfilled');
  b.startPipeline();
  await b.settle();
});
afterAll(() => b?.close());

describe('unchanged TOAST values', () => {
  it('are stored out of line (the premise of these tests)', async () => {
    expect(await toastedRows('documents')).toBe(1);
    expect(await toastedRows('full_documents')).toBe(1);
  });

  it('are resolved from ClickHouse when the row landed in an earlier batch', async () => {
    await insertDoc('documents', 2, 'streamed');
    await b.settle();
    // Row 1 came by the backfill, row 2 by the stream; both now change another column only.
    await b.pool.query("UPDATE documents SET title = title || ' v2' WHERE id IN (1, 2)");
    await b.settle();
    await b.pool.query("UPDATE documents SET title = title || ' v3' WHERE id = 2");
    await b.settle();

    // PostgreSQL did not resend the body: the change log's after-image lacks it.
    const log = await logged('documents', 2);
    expect(log.map((l) => l.op)).toEqual(['insert', 'update', 'update']);
    expect(JSON.parse(log[0]!.after!)).toHaveProperty('body');
    expect(JSON.parse(log[2]!.after!)).not.toHaveProperty('body');
    expect(JSON.parse(log[2]!.after!)).toEqual({ id: '2', title: 'streamed v2 v3' });

    expect(await landedBodies('documents')).toEqual([
      { id: 1, title: 'backfilled v2', bodyMatches: true, bodyLength: BODY_LENGTH },
      { id: 2, title: 'streamed v2 v3', bodyMatches: true, bodyLength: BODY_LENGTH }
    ]);
    await b.expectEqual(['documents']);
  });

  it('are resolved within the batch when inserted in the same transaction', async () => {
    const client = await b.pool.connect();
    try {
      await client.query('BEGIN');
      await insertDoc('documents', 3, 'same transaction', client);
      await client.query("UPDATE documents SET title = 'same transaction v2' WHERE id = 3");
      await client.query("UPDATE documents SET title = 'same transaction v3' WHERE id = 3");
      await client.query('COMMIT');
    } finally {
      client.release();
    }
    await b.settle();
    const log = await logged('documents', 3);
    expect(log.map((l) => l.op)).toEqual(['insert', 'update', 'update']);
    expect(JSON.parse(log[1]!.after!)).not.toHaveProperty('body');
    expect((await landedBodies('documents'))[2]).toEqual({ id: 3, title: 'same transaction v3', bodyMatches: true, bodyLength: BODY_LENGTH });
    await b.expectEqual(['documents']);
  });

  it('are taken from the old tuple under REPLICA IDENTITY FULL', async () => {
    await insertDoc('full_documents', 2, 'streamed');
    await insertDoc('full_documents', 3, 'deleted later');
    await b.settle();
    await b.pool.query("UPDATE full_documents SET title = title || ' v2'");
    await b.pool.query('DELETE FROM full_documents WHERE id = 3');
    await b.settle();

    const log = await logged('full_documents', 2);
    expect(log.map((l) => l.op)).toEqual(['insert', 'update']);
    expect(JSON.parse(log[1]!.after!)).not.toHaveProperty('body');
    // The old tuple carries the whole row, body included.
    const before = await b.chRows<{ before: string }>("SELECT before FROM change_log WHERE table_name = 'full_documents' AND op = 'update' AND JSONExtractString(pk, 'id') = '2'");
    expect(JSON.parse(before[0]!.before).body).toBe(bodies.get('full_documents:2'));
    expect(await landedBodies('full_documents')).toEqual([
      { id: 1, title: 'backfilled v2', bodyMatches: true, bodyLength: BODY_LENGTH },
      { id: 2, title: 'streamed v2', bodyMatches: true, bodyLength: BODY_LENGTH }
    ]);
    await b.expectEqual();
  });

  it('are resolved for a text key holding quotes, backslashes and control characters', async () => {
    const slugs = ["o'brien", 'back\\slash', 'tab\tbed', 'form\ffeed\bspace', 'plain'];
    for (const slug of slugs) {
      const body = bigText();
      bodies.set(`notes:${slug}`, body);
      await b.pool.query('INSERT INTO notes (slug, title, body) VALUES ($1, $2, $3)', [slug, 'first', body]);
    }
    await b.settle();
    await b.pool.query("UPDATE notes SET title = 'second'");
    await b.settle();
    const rows = await b.chRows<{ slug: string; title: string; body: string }>('SELECT slug, title, body FROM notes FINAL ORDER BY slug');
    expect(rows.map((r) => ({ slug: r.slug, title: r.title, bodyMatches: r.body === bodies.get(`notes:${r.slug}`) }))).toEqual(
      [...slugs].sort().map((slug) => ({ slug, title: 'second', bodyMatches: true }))
    );
    await b.expectEqual(['notes']);
  });
});
