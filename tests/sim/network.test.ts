import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCoreDb, type CoreDb } from '../../app/lib/server/core/db';
import { ledgerViolations } from '../../app/lib/server/core/invariants';
import { suggestions } from '../../app/lib/server/core/reorder';
import { createPool } from '../../platform/pool';
import { generateNetwork, type Network } from '../../sim/network';
import { ruleKey, writeNetwork, type WriteNetworkOptions } from '../../sim/network-writer';
import { freshDatabase } from '../support/databases';

const SPEC = { seed: 11, products: 50, customers: 20, suppliers: 5, branches: 2 };
/** The second database's network is dated back, as the history generator will ask. */
const OPENED_AT = new Date('2026-01-05T06:00:00Z');

/** A migrated database of its own with the network written into it. */
async function written(network: Network, options?: WriteNetworkOptions) {
  const pool = createPool(await freshDatabase('sim'), 4);
  const db = createCoreDb(pool);
  const steps: [string, number][] = [];
  const ids = await writeNetwork(db, network, (label, fraction) => steps.push([label, fraction]), options);
  return { pool, db, ids, steps };
}

async function rows<T>(db: CoreDb, query: ReturnType<typeof sql>): Promise<T[]> {
  return (await db.execute(query)).rows as T[];
}

/**
 * One digest per table, over the rows as codes (not generated ids) in a fixed
 * order: two databases with equal digests hold the same network.
 */
async function digests(db: CoreDb): Promise<Record<string, string>> {
  const [r] = await rows<Record<string, string>>(
    db,
    sql`SELECT
      (SELECT md5(string_agg(concat_ws('|', sku, name, base_unit, pack_sizes::text, cost_minor, price_minor, category, abc_class, active), ',' ORDER BY sku)) FROM products) AS products,
      (SELECT md5(string_agg(concat_ws('|', c.code, c.name, g.code, tier, credit_limit_minor, payment_terms_days, on_hold), ',' ORDER BY c.code)) FROM customers c JOIN regions g ON g.id = c.region_id) AS customers,
      (SELECT md5(string_agg(concat_ws('|', p.sku, w.code, min_qty, max_qty, safety_stock, multiple, lead_time_days, coalesce(s.code, '-'), coalesce(sw.code, '-')), ',' ORDER BY p.sku, w.code))
         FROM reorder_rules r JOIN products p ON p.id = r.product_id JOIN warehouses w ON w.id = r.warehouse_id
         LEFT JOIN suppliers s ON s.id = r.source_supplier_id LEFT JOIN warehouses sw ON sw.id = r.source_warehouse_id) AS reorder_rules,
      (SELECT md5(string_agg(concat_ws('|', p.sku, l.code, on_hand, reserved, is_virtual), ',' ORDER BY p.sku, l.code))
         FROM stock_balances b JOIN products p ON p.id = b.product_id JOIN locations l ON l.id = b.location_id) AS stock_balances,
      (SELECT md5(string_agg(concat_ws('|', s.code, p.sku, sp.cost_minor, lead_time_days, moq, pack_multiple), ',' ORDER BY s.code, p.sku))
         FROM supplier_products sp JOIN suppliers s ON s.id = sp.supplier_id JOIN products p ON p.id = sp.product_id) AS supplier_products`
  );
  return r!;
}

describe('writeNetwork', () => {
  const network = generateNetwork(SPEC);
  let first: Awaited<ReturnType<typeof written>>;
  let second: Awaited<ReturnType<typeof written>>;

  beforeAll(async () => {
    first = await written(network);
    second = await written(generateNetwork({ ...SPEC }), { openedAt: OPENED_AT });
  });
  afterAll(async () => {
    await first?.pool.end();
    await second?.pool.end();
  });

  it('keeps every ledger invariant', async () => {
    expect(await ledgerViolations(first.db)).toEqual([]);
  });

  it('writes as many rows as the description has', async () => {
    const [counts] = await rows<Record<string, string>>(
      first.db,
      sql`SELECT (SELECT count(*) FROM regions) AS regions, (SELECT count(*) FROM warehouses) AS warehouses,
        (SELECT count(*) FROM locations) AS locations, (SELECT count(*) FROM products) AS products,
        (SELECT count(*) FROM suppliers) AS suppliers, (SELECT count(*) FROM supplier_products) AS supplier_products,
        (SELECT count(*) FROM customers) AS customers, (SELECT count(*) FROM customer_prices) AS customer_prices,
        (SELECT count(*) FROM transfer_lanes) AS transfer_lanes, (SELECT count(*) FROM reorder_rules) AS reorder_rules,
        (SELECT count(*) FROM stock_moves) AS stock_moves, (SELECT count(*) FROM stock_balances) AS stock_balances`
    );
    expect(Object.fromEntries(Object.entries(counts!).map(([k, v]) => [k, Number(v)]))).toEqual({
      regions: network.regions.length,
      warehouses: network.warehouses.length,
      locations: network.warehouses.length * 8, // every kind, as the catalog creates them
      products: network.products.length,
      suppliers: network.suppliers.length,
      supplier_products: network.supplierProducts.length,
      customers: network.customers.length,
      customer_prices: network.customerPrices.length,
      transfer_lanes: network.transferLanes.length,
      reorder_rules: network.reorderRules.length,
      stock_moves: network.openingStock.length,
      stock_balances: network.openingStock.length * 2 // stock in, adjustment out
    });
    expect(first.ids.products.size).toBe(network.products.length);
    expect(first.ids.customers.size).toBe(network.customers.length);
    expect(first.ids.reorderRules.size).toBe(network.reorderRules.length);
    expect(first.steps.at(-1)).toEqual(['network written', 1]);
    expect(first.steps.map(([, f]) => f)).toEqual([...first.steps.map(([, f]) => f)].sort((a, b) => a - b));
  });

  it('posts opening stock as done opening-balance moves from the adjustment location', async () => {
    const moves = await rows<{ sku: string; code: string; qty: number; from_kind: string; to_kind: string; state: string; document_type: string; document_id: string }>(
      first.db,
      sql`SELECT p.sku, w.code, m.qty, f.kind AS from_kind, t.kind AS to_kind, m.state, m.document_type, m.document_id
          FROM stock_moves m JOIN products p ON p.id = m.product_id JOIN locations f ON f.id = m.from_location_id
          JOIN locations t ON t.id = m.to_location_id JOIN warehouses w ON w.id = t.warehouse_id AND w.id = f.warehouse_id`
    );
    expect(moves).toHaveLength(network.openingStock.length);
    expect(new Set(moves.map((m) => `${m.state} ${m.document_type} ${m.document_id} ${m.from_kind}->${m.to_kind}`))).toEqual(
      new Set([`done opening_balance ${first.ids.openingDocumentId} adjustment->stock`])
    );
    const onHand = await rows<{ sku: string; code: string; on_hand: number }>(
      first.db,
      sql`SELECT p.sku, w.code, b.on_hand FROM stock_balances b JOIN products p ON p.id = b.product_id
          JOIN locations l ON l.id = b.location_id AND l.kind = 'stock' JOIN warehouses w ON w.id = l.warehouse_id`
    );
    expect(new Map(onHand.map((b) => [`${b.sku}@${b.code}`, b.on_hand]))).toEqual(new Map(network.openingStock.map((o) => [`${o.sku}@${o.warehouseCode}`, o.qty])));
  });

  it('maps every code to the id the database gave it', async () => {
    const check = async (table: string, key: string, map: ReadonlyMap<string, number>) => {
      const found = await rows<{ key: string; id: number }>(first.db, sql`SELECT ${sql.raw(key)} AS key, id FROM ${sql.raw(table)}`);
      expect(new Map(found.map((r) => [r.key, Number(r.id)]))).toEqual(map);
    };
    await check('regions', 'code', first.ids.regions);
    await check('warehouses', 'code', first.ids.warehouses);
    await check('products', 'sku', first.ids.products);
    await check('suppliers', 'code', first.ids.suppliers);
    await check('customers', 'code', first.ids.customers);
    const rules = await rows<{ sku: string; code: string; id: number }>(
      first.db,
      sql`SELECT p.sku, w.code, r.id FROM reorder_rules r JOIN products p ON p.id = r.product_id JOIN warehouses w ON w.id = r.warehouse_id`
    );
    expect(new Map(rules.map((r) => [ruleKey(r.sku, r.code), Number(r.id)]))).toEqual(first.ids.reorderRules);
    const stock = first.ids.locations.get(network.warehouses[0]!.code)!.stock;
    const [loc] = await rows<{ kind: string; code: string }>(first.db, sql`SELECT l.kind, w.code FROM locations l JOIN warehouses w ON w.id = l.warehouse_id WHERE l.id = ${stock}`);
    expect(loc).toEqual({ kind: 'stock', code: network.warehouses[0]!.code });
  });

  it('gives reorder rules the core can run: no blocked source, and proposals exactly where stock opens below min', async () => {
    const opening = new Map(network.openingStock.map((o) => [`${o.sku}@${o.warehouseCode}`, o.qty]));
    for (const w of network.warehouses) {
      const found = await suggestions(first.db, first.ids.warehouses.get(w.code)!);
      expect(found.filter((s) => s.blocked !== null)).toEqual([]);
      const below = network.reorderRules.filter((r) => r.warehouseCode === w.code && (opening.get(`${r.sku}@${w.code}`) ?? 0) < r.minQty).map((r) => r.sku);
      expect(found.map((s) => s.sku).sort()).toEqual(below.sort());
    }
  });

  it('writes the same rows for the same seed into another database', async () => {
    const a = await digests(first.db);
    expect(Object.values(a).every((d) => /^[0-9a-f]{32}$/.test(d))).toBe(true);
    expect(await digests(second.db)).toEqual(a);
  });

  it('dates master data and opening stock at openedAt when asked', async () => {
    const epochs = (column: string, table: string) => sql.raw(`(SELECT array_agg(DISTINCT extract(epoch FROM ${column})::int) FROM ${table}) AS ${table}`);
    const [times] = await rows<Record<string, number[]>>(
      second.db,
      sql`SELECT ${epochs('created_at', 'products')}, ${epochs('created_at', 'warehouses')}, ${epochs('created_at', 'customers')},
        ${epochs('created_at', 'suppliers')}, ${epochs('done_at', 'stock_moves')}, ${epochs('updated_at', 'stock_balances')}`
    );
    const expected = Object.fromEntries(Object.keys(times!).map((table) => [table, [OPENED_AT.getTime() / 1000]]));
    expect(times).toEqual(expected);
    const [recent] = await rows<{ n: string }>(first.db, sql`SELECT count(*) AS n FROM stock_moves WHERE done_at < now() - interval '1 hour'`);
    expect(Number(recent!.n)).toBe(0); // without openedAt: now
  });

  it('leaves the foreign keys as the migrations made them (dropped for the load, added back and validated)', async () => {
    const keys = async (db: CoreDb) =>
      rows<{ tbl: string; name: string; def: string; validated: boolean }>(
        db,
        sql`SELECT conrelid::regclass::text AS tbl, conname AS name, pg_get_constraintdef(oid) AS def, convalidated AS validated
            FROM pg_constraint WHERE contype = 'f' ORDER BY 1, 2`
      );
    const pristine = createPool(await freshDatabase('sim'), 1);
    try {
      const expected = await keys(createCoreDb(pristine));
      expect(expected.length).toBeGreaterThan(20);
      expect(await keys(first.db)).toEqual(expected);
    } finally {
      await pristine.end();
    }
  });

  it('refuses a database that already holds a network, and leaves it as it was', async () => {
    const before = await digests(first.db);
    await expect(writeNetwork(first.db, generateNetwork({ ...SPEC, seed: 12 }))).rejects.toThrow(/empty core database/);
    expect(await digests(first.db)).toEqual(before);
  });
});
