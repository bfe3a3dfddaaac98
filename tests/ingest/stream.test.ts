import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ingestBench, type IngestBench } from './support';

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
});
