import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ingestBench, waitFor, type IngestBench } from './support';
import { parseLsn } from '../../ingest/lsn';

let b: IngestBench;
beforeAll(async () => {
  b = await ingestBench();
  await b.pool.query("INSERT INTO regions (code, name) VALUES ('N', 'North'), ('S', 'South')");
  b.startPipeline();
  await b.settle();
});
afterAll(() => b?.close());

describe('CDC stream', () => {
  it('backfills existing rows, then streams inserts, updates and deletes', async () => {
    expect(await b.chRows('SELECT code, name FROM regions FINAL ORDER BY code')).toEqual([
      { code: 'N', name: 'North' },
      { code: 'S', name: 'South' }
    ]);
    await b.pool.query("INSERT INTO regions (code, name) VALUES ('E', 'East')");
    await b.pool.query("UPDATE regions SET name = 'Northern' WHERE code = 'N'");
    await b.pool.query("DELETE FROM regions WHERE code = 'S'");
    await b.settle();
    expect(await b.chRows('SELECT code, name FROM regions FINAL ORDER BY code')).toEqual([
      { code: 'E', name: 'East' },
      { code: 'N', name: 'Northern' }
    ]);
    await b.expectEqual();
    const log = await b.chRows<{ op: string; table_name: string }>("SELECT op, table_name FROM change_log WHERE table_name = 'regions' ORDER BY commit_lsn, position");
    expect(log.map((l) => l.op)).toEqual(['insert', 'update', 'delete']);
  });

  it("reports a batch visible as soon as it has landed, before the facts' landed event", async () => {
    const order: string[] = [];
    let readAtVisible: Promise<unknown[]> | null = null;
    const { rows } = await b.pool.query<{ lsn: string }>(
      "WITH r AS (INSERT INTO regions (code, name) VALUES ('W', 'West') RETURNING 1) SELECT pg_current_wal_lsn()::text AS lsn FROM r"
    );
    const committed = parseLsn(rows[0]!.lsn);
    const onVisible = (e: { lsn: string }) => {
      if (parseLsn(e.lsn) < committed || readAtVisible) return;
      order.push('visible');
      // Queried at once, in the event: the row must already be there.
      readAtVisible = b.chRows<{ name: string }>("SELECT name FROM regions FINAL WHERE code = 'W'");
    };
    const onLanded = (e: { lsn: string }) => {
      if (parseLsn(e.lsn) >= committed && !order.includes('landed')) order.push('landed');
    };
    b.pipeline.on('visible', onVisible);
    b.pipeline.on('landed', onLanded);
    try {
      await waitFor(() => order.includes('landed'), 30_000, 'the landed event');
      expect(order).toEqual(['visible', 'landed']);
      expect(await readAtVisible).toEqual([{ name: 'West' }]);
    } finally {
      b.pipeline.off('visible', onVisible);
      b.pipeline.off('landed', onLanded);
    }
  });
});
