import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ingestBench, waitFor, type IngestBench } from './support';

/**
 * Schema changes while streaming: an added column reaches ClickHouse with every
 * row's value (including the default PostgreSQL gave existing rows without any
 * WAL); a changed column type stops the ingest, named, instead of garbling data.
 */

let b: IngestBench;

async function addProduct(sku: string, extra = '') {
  await b.pool.query(
    `INSERT INTO products (sku, name, cost_minor, price_minor, category${extra ? ', shelf_life_days' : ''})
     VALUES ($1, $2, 100, 250, 'dairy'${extra ? `, ${extra}` : ''})`,
    [sku, `Product ${sku}`]
  );
}

beforeAll(async () => {
  b = await ingestBench();
  for (const sku of ['MILK-1', 'MILK-2', 'MILK-3']) await addProduct(sku);
  await b.pool.query('CREATE TABLE scratch_counts (id int PRIMARY KEY, amount integer NOT NULL)');
  await b.pool.query('INSERT INTO scratch_counts VALUES (1, 10)');
  b.startPipeline();
  await b.settle();
});
afterAll(() => b?.close());

describe('schema evolution while streaming', () => {
  it('adds a new column to ClickHouse with the value PostgreSQL holds for every row', async () => {
    await addProduct('MILK-4'); // streamed before the change
    await b.settle();

    await b.pool.query('ALTER TABLE products ADD COLUMN shelf_life_days integer NOT NULL DEFAULT 30');
    // Existing rows got 30 without any WAL; only MILK-2 and the new MILK-5 send a row.
    await b.pool.query("UPDATE products SET price_minor = 260 WHERE sku = 'MILK-2'");
    await addProduct('MILK-5', '7');
    await b.pool.query("UPDATE products SET shelf_life_days = 14 WHERE sku = 'MILK-3'");
    await b.settle();

    const columns = await b.chRows<{ name: string; type: string }>("SELECT name, type FROM system.columns WHERE database = currentDatabase() AND table = 'products' AND name = 'shelf_life_days'");
    expect(columns).toEqual([{ name: 'shelf_life_days', type: 'Int32' }]);
    const rows = await b.chRows<{ sku: string; shelf_life_days: number; price: string }>('SELECT sku, shelf_life_days, toString(price_minor) AS price FROM products FINAL ORDER BY sku');
    expect(rows).toEqual([
      { sku: 'MILK-1', shelf_life_days: 30, price: '250' },
      { sku: 'MILK-2', shelf_life_days: 30, price: '260' },
      { sku: 'MILK-3', shelf_life_days: 14, price: '250' },
      { sku: 'MILK-4', shelf_life_days: 30, price: '250' },
      { sku: 'MILK-5', shelf_life_days: 7, price: '250' }
    ]);
    await b.expectEqual(['products']);

    // The stream goes on normally under the new relation.
    await b.pool.query("DELETE FROM products WHERE sku = 'MILK-1'");
    await addProduct('MILK-6');
    await b.settle();
    expect((await b.chRows<{ sku: string }>('SELECT sku FROM products FINAL ORDER BY sku')).map((r) => r.sku)).toEqual(['MILK-2', 'MILK-3', 'MILK-4', 'MILK-5', 'MILK-6']);
    await b.expectEqual();
  });

  it('stops with the table and column named when a column changes type', async () => {
    await b.pool.query('ALTER TABLE scratch_counts ALTER COLUMN amount TYPE text');
    await b.pool.query("INSERT INTO scratch_counts VALUES (2, 'a dozen')");
    await waitFor(() => b.pipeline.state === 'failed', 20_000, 'the ingest to stop on the type change');
    const { lastError } = b.pipeline.progress();
    expect(lastError).toContain('scratch_counts.amount');
    expect(lastError).toMatch(/type changed/);
    // Nothing of the new row reached ClickHouse.
    expect(await b.chRows('SELECT id, amount FROM scratch_counts FINAL ORDER BY id')).toEqual([{ id: 1, amount: 10 }]);
  });
});
