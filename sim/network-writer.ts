import { sql } from 'drizzle-orm';
import { SYSTEM_ACTOR, type Actor } from '../app/lib/server/core/actor';
import { insertWarehouse } from '../app/lib/server/core/catalog';
import type { CoreDb, Tx } from '../app/lib/server/core/db';
import { conflict } from '../app/lib/server/core/errors';
import { newDocumentId } from '../app/lib/server/core/ledger';
import type { LocationKind, WarehouseLocations } from '../app/lib/server/core/locations';
import { transact } from '../app/lib/server/core/transaction';
import { col, insertMany, withForeignKeysCheckedOnce } from './bulk-sql';
import type { Network } from './network';

/** Database ids of what was written, by code (products by SKU), for the operations generator. */
export interface NetworkIds {
  regions: ReadonlyMap<string, number>;
  warehouses: ReadonlyMap<string, number>;
  /** Location ids by warehouse code, then kind. */
  locations: ReadonlyMap<string, WarehouseLocations>;
  products: ReadonlyMap<string, number>;
  suppliers: ReadonlyMap<string, number>;
  customers: ReadonlyMap<string, number>;
  /** Reorder rule ids by `ruleKey(sku, warehouseCode)`. */
  reorderRules: ReadonlyMap<string, number>;
  /** The document number shared by all opening-balance moves. */
  openingDocumentId: number;
}

export type Progress = (label: string, fraction: number) => void;

export interface WriteNetworkOptions {
  /** When the network came to be: created_at of master data and the opening moves (default now; history starts later). */
  openedAt?: Date;
  actor?: Actor;
}

export const ruleKey = (sku: string, warehouseCode: string) => `${sku}@${warehouseCode}`;

const idMap = (rows: Record<string, unknown>[], key: string) => new Map(rows.map((r) => [String(r[key]), Number(r.id)]));

/** True when the core database holds master data or stock moves (the network needs an empty one). */
export async function holdsCoreData(db: Pick<CoreDb, 'execute'>): Promise<boolean> {
  const held = await db.execute<{ n: string }>(sql`
    SELECT (SELECT count(*) FROM regions) + (SELECT count(*) FROM warehouses) + (SELECT count(*) FROM products)
         + (SELECT count(*) FROM suppliers) + (SELECT count(*) FROM customers) + (SELECT count(*) FROM stock_moves) AS n`);
  return Number(held.rows[0]!.n) > 0;
}

/** The id of `key` (a code or SKU); throws naming what is missing (ids written from another network). */
export function lookup(map: ReadonlyMap<string, number>, key: string, what: string): number {
  const id = map.get(key);
  if (id === undefined) throw new Error(`no ${what} ${key} among the network's ids: were they written from this network?`);
  return id;
}

/** Every table the load writes rows into that has foreign keys (regions, products and suppliers have none). */
const LOADED_TABLES = ['warehouses', 'locations', 'customers', 'supplier_products', 'customer_prices', 'transfer_lanes', 'reorder_rules', 'stock_moves', 'stock_balances'];

/**
 * Writes a generated network into an empty core database in one transaction,
 * in bulk (unnest inserts). Warehouses go through the catalog's insertWarehouse
 * so they get their locations as any warehouse does. Opening stock follows the
 * opening-balance import: done moves adjustment -> stock under one
 * 'opening_balance' document, and balances derived from those moves. Foreign
 * keys are checked once per constraint, not per row (see bulk-sql.ts). The
 * default network (5,000 products x 6 warehouses) writes in a few seconds.
 */
export async function writeNetwork(db: CoreDb, network: Network, progress: Progress = () => {}, options: WriteNetworkOptions = {}): Promise<NetworkIds> {
  const actor = options.actor ?? SYSTEM_ACTOR;
  const at = options.openedAt ?? null;
  progress('checking the database is empty', 0);
  const ids = await transact(db, actor, 'sim.network.write', async (tx) => {
    if (await holdsCoreData(tx)) throw conflict('the simulated network needs an empty core database: it already holds master data or stock moves');
    const now = sql`coalesce(${at}::timestamptz, now())`;
    return withForeignKeysCheckedOnce(tx, LOADED_TABLES, async () => {
      progress('regions and warehouses', 0.02);
      const regions = idMap(
        await insertMany(
          tx,
          'regions',
          { code: col(network.regions.map((r) => r.code), 'text'), name: col(network.regions.map((r) => r.name), 'text') },
          { constants: { created_at: now }, returning: 'id, code' }
        ),
        'code'
      );
      const warehouses = new Map<string, number>();
      for (const w of network.warehouses) {
        const row = await insertWarehouse(tx, { code: w.code, name: w.name, kind: w.kind, regionId: lookup(regions, w.regionCode, 'region'), timeZone: w.timeZone });
        warehouses.set(w.code, row.id);
      }
      await tx.execute(sql`UPDATE warehouses SET created_at = ${now}`); // insertWarehouse takes no creation time
      const codeOfWarehouse = new Map([...warehouses].map(([code, id]) => [id, code]));
      const locations = new Map<string, WarehouseLocations>();
      for (const l of (await tx.execute<{ id: number; warehouse_id: number; kind: LocationKind }>(sql`SELECT id, warehouse_id, kind FROM locations`)).rows) {
        const code = codeOfWarehouse.get(Number(l.warehouse_id))!;
        const byKind = locations.get(code) ?? ({} as WarehouseLocations);
        byKind[l.kind] = Number(l.id);
        locations.set(code, byKind);
      }

      progress('products', 0.1);
      const ps = network.products;
      const products = idMap(
        await insertMany(
          tx,
          'products',
          {
            sku: col(ps.map((p) => p.sku), 'text'),
            name: col(ps.map((p) => p.name), 'text'),
            base_unit: col(ps.map((p) => p.baseUnit), 'text'),
            pack_sizes: col(ps.map((p) => JSON.stringify(p.packSizes)), 'jsonb'),
            cost_minor: col(ps.map((p) => p.costMinor), 'bigint'),
            price_minor: col(ps.map((p) => p.priceMinor), 'bigint'),
            category: col(ps.map((p) => p.category), 'text'),
            abc_class: col(ps.map((p) => p.abcClass), 'abc_class')
          },
          { constants: { created_at: now }, returning: 'id, sku' }
        ),
        'sku'
      );

      progress('suppliers', 0.25);
      const suppliers = idMap(
        await insertMany(
          tx,
          'suppliers',
          { code: col(network.suppliers.map((s) => s.code), 'text'), name: col(network.suppliers.map((s) => s.name), 'text') },
          { constants: { created_at: now }, returning: 'id, code' }
        ),
        'code'
      );
      const sps = network.supplierProducts;
      await insertMany(tx, 'supplier_products', {
        supplier_id: col(sps.map((s) => lookup(suppliers, s.supplierCode, 'supplier')), 'int'),
        product_id: col(sps.map((s) => lookup(products, s.sku, 'product')), 'int'),
        cost_minor: col(sps.map((s) => s.costMinor), 'bigint'),
        lead_time_days: col(sps.map((s) => s.leadTimeDays), 'int'),
        moq: col(sps.map((s) => s.moq), 'int'),
        pack_multiple: col(sps.map((s) => s.packMultiple), 'int')
      });

      progress('customers', 0.4);
      const cs = network.customers;
      const customers = idMap(
        await insertMany(
          tx,
          'customers',
          {
            code: col(cs.map((c) => c.code), 'text'),
            name: col(cs.map((c) => c.name), 'text'),
            region_id: col(cs.map((c) => lookup(regions, c.regionCode, 'region')), 'int'),
            tier: col(cs.map((c) => c.tier), 'customer_tier'),
            credit_limit_minor: col(cs.map((c) => c.creditLimitMinor), 'bigint'),
            payment_terms_days: col(cs.map((c) => c.paymentTermsDays), 'int'),
            on_hold: col(cs.map((c) => c.onHold), 'boolean')
          },
          { constants: { created_at: now }, returning: 'id, code' }
        ),
        'code'
      );
      const cps = network.customerPrices;
      await insertMany(tx, 'customer_prices', {
        customer_id: col(cps.map((p) => lookup(customers, p.customerCode, 'customer')), 'int'),
        product_id: col(cps.map((p) => lookup(products, p.sku, 'product')), 'int'),
        price_minor: col(cps.map((p) => p.priceMinor), 'bigint')
      });

      progress('transfer lanes and reorder rules', 0.5);
      const lanes = network.transferLanes;
      await insertMany(tx, 'transfer_lanes', {
        from_warehouse_id: col(lanes.map((l) => lookup(warehouses, l.fromCode, 'warehouse')), 'int'),
        to_warehouse_id: col(lanes.map((l) => lookup(warehouses, l.toCode, 'warehouse')), 'int'),
        lead_time_days: col(lanes.map((l) => l.leadTimeDays), 'int')
      });
      const rs = network.reorderRules;
      const ruleRows = await insertMany<{ id: number; product_id: number; warehouse_id: number }>(
        tx,
        'reorder_rules',
        {
          product_id: col(rs.map((r) => lookup(products, r.sku, 'product')), 'int'),
          warehouse_id: col(rs.map((r) => lookup(warehouses, r.warehouseCode, 'warehouse')), 'int'),
          min_qty: col(rs.map((r) => r.minQty), 'int'),
          max_qty: col(rs.map((r) => r.maxQty), 'int'),
          safety_stock: col(rs.map((r) => r.safetyStock), 'int'),
          multiple: col(rs.map((r) => r.multiple), 'int'),
          lead_time_days: col(rs.map((r) => r.leadTimeDays), 'int'),
          source_supplier_id: col(rs.map((r) => (r.sourceSupplierCode === null ? null : lookup(suppliers, r.sourceSupplierCode, 'supplier'))), 'int'),
          source_warehouse_id: col(rs.map((r) => (r.sourceWarehouseCode === null ? null : lookup(warehouses, r.sourceWarehouseCode, 'warehouse'))), 'int')
        },
        { returning: 'id, product_id, warehouse_id' }
      );
      const skuOf = new Map([...products].map(([sku, id]) => [id, sku]));
      const reorderRules = new Map(ruleRows.map((r) => [ruleKey(skuOf.get(Number(r.product_id))!, codeOfWarehouse.get(Number(r.warehouse_id))!), Number(r.id)]));

      progress('opening stock', 0.65);
      const openingDocumentId = await newDocumentId(tx);
      const os = network.openingStock;
      const loc = (code: string, kind: LocationKind) => {
        const l = locations.get(code);
        if (!l) throw new Error(`the network refers to warehouse ${code}, which it does not define`);
        return l[kind];
      };
      const productIds = col(os.map((o) => lookup(products, o.sku, 'product')), 'int');
      const quantities = col(os.map((o) => o.qty), 'int');
      const fromIds = col(os.map((o) => loc(o.warehouseCode, 'adjustment')), 'int');
      const toIds = col(os.map((o) => loc(o.warehouseCode, 'stock')), 'int');
      await tx.execute(sql`
        INSERT INTO stock_moves (product_id, qty, from_location_id, to_location_id, state, document_type, document_id, actor_id, created_at, done_at)
        SELECT m.product_id, m.qty, m.from_id, m.to_id, 'done', 'opening_balance', ${openingDocumentId}, ${actor.userId}::int, ${now}, ${now}
        FROM unnest(${productIds}, ${quantities}, ${fromIds}, ${toIds}) AS m(product_id, qty, from_id, to_id)`);
      progress('stock balances', 0.8);
      // Balances from the ledger itself: Σ in - Σ out of this document's done moves (the database was empty).
      await tx.execute(sql`
        INSERT INTO stock_balances (product_id, location_id, on_hand, reserved, is_virtual, updated_at)
        SELECT m.product_id, m.location_id, sum(m.qty)::int, 0, l.kind NOT IN ('stock', 'quality_hold', 'damaged', 'transit'), ${now}
        FROM (SELECT product_id, to_location_id AS location_id, qty FROM stock_moves WHERE document_type = 'opening_balance' AND document_id = ${openingDocumentId}
              UNION ALL
              SELECT product_id, from_location_id, -qty FROM stock_moves WHERE document_type = 'opening_balance' AND document_id = ${openingDocumentId}) m
        JOIN locations l ON l.id = m.location_id
        GROUP BY m.product_id, m.location_id, l.kind`);
      progress('checking foreign keys', 0.9); // as they are added back
      return { regions, warehouses, locations, products, suppliers, customers, reorderRules, openingDocumentId };
    });
  });
  progress('analyzing', 0.95);
  // Fresh statistics, or the first queries plan for empty tables.
  await db.execute(sql.raw(`ANALYZE ${['regions', 'products', 'suppliers', ...LOADED_TABLES].join(', ')}`));
  progress('network written', 1);
  return ids;
}
