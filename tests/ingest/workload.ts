import type pg from 'pg';

/**
 * A seeded random workload of core-table transactions for ingest tests: master
 * data, prices, lanes, reorder rules and purchase orders, inserted, updated
 * (jsonb pack sizes, TOASTed names left unchanged, keys moved) and deleted in
 * multi-statement transactions. Some end in ROLLBACK, some fail on a constraint,
 * some roll back to a savepoint and commit the rest. It counts the row changes of
 * committed transactions only: the change log must hold each of those exactly once.
 *
 *   const w = new Workload(pool, { seed: 7 });
 *   await w.run(2_000);                   // or w.start() ... await w.stop()
 *   w.stats.changes                       // committed row changes, w.stats.changesByTable per table
 */

export interface WorkloadOptions {
  seed: number;
  /** Transactions in flight at once (default 3). */
  concurrency?: number;
  /** Pause between one worker's transactions, in ms (default 0): throttles a continuous load. */
  pauseMs?: number;
}

export interface WorkloadStats {
  committed: number;
  /** Ended by an explicit ROLLBACK. */
  rolledBack: number;
  /** Ended by an error (a constraint, a deadlock) and rolled back. */
  failed: number;
  /** Row changes (INSERT/UPDATE/DELETE result.rowCount) of committed transactions. */
  changes: number;
  changesByTable: Record<string, number>;
}

/** mulberry32: small, fast, good enough to pick test operations reproducibly. */
export function rng(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (n: number) => Math.floor(next() * n);
  return { next, int, chance: (p: number) => next() < p, pick: <T>(xs: readonly T[]): T => xs[int(xs.length)]! };
}
type Rng = ReturnType<typeof rng>;

/** Keys known to exist (as of the last commit): O(1) random pick and removal. */
class Keys<T> {
  readonly #items: T[] = [];
  readonly #at = new Map<string, number>();
  constructor(private readonly id: (t: T) => string = String) {}
  get size() {
    return this.#items.length;
  }
  add(t: T) {
    if (!this.#at.has(this.id(t))) this.#at.set(this.id(t), this.#items.push(t) - 1);
  }
  remove(t: T) {
    const i = this.#at.get(this.id(t));
    if (i === undefined) return;
    const last = this.#items.pop()!;
    this.#at.delete(this.id(t));
    if (i < this.#items.length) (this.#items[i] = last), this.#at.set(this.id(last), i);
  }
  pick(r: Rng): T | undefined {
    return this.#items.length ? this.#items[r.int(this.#items.length)] : undefined;
  }
  filter(f: (t: T) => boolean): T[] {
    return this.#items.filter(f);
  }
}

type Pair = [number, number];
const pairKeys = () => new Keys<Pair>((p) => `${p[0]},${p[1]}`);
/** Awkward text for the TSV and JSON paths: tab, newline, backslash, quotes, non-ASCII. */
const AWKWARD = ['plain', 'tab\there', 'line\nbreak', 'back\\slash', "it's \"quoted\"", 'Grüße 🚚', '\\N', ''];
/** SQLSTATE classes a random transaction may legitimately fail with. */
const EXPECTED_FAILURE = /^(23|40)/;
/** What refers to a product and goes with it (purchase order lines do not: deleting a product they name fails). */
const PRODUCT_CHILDREN: [string, string][] = [
  ['customer_prices', 'product_id'],
  ['supplier_products', 'product_id'],
  ['reorder_rules', 'product_id']
];

/** One transaction in the making: its row changes and what the workload learns if it commits. */
class Txn {
  counts: Record<string, number> = {};
  effects: (() => void)[] = [];
  constructor(readonly client: pg.PoolClient) {}
  async exec<R extends pg.QueryResultRow = { id: number }>(table: string, sql: string, values: unknown[] = []): Promise<pg.QueryResult<R>> {
    const res = await this.client.query<R>(sql, values);
    this.counts[table] = (this.counts[table] ?? 0) + (res.rowCount ?? 0);
    return res;
  }
  onCommit(effect: () => void) {
    this.effects.push(effect);
  }
}

export class Workload {
  readonly stats: WorkloadStats = { committed: 0, rolledBack: 0, failed: 0, changes: 0, changesByTable: {} };
  readonly #pool: pg.Pool;
  readonly #o: Required<WorkloadOptions>;
  readonly #tag: string;
  #serial = 0;
  #starts = 0;
  #bootstrapped: Promise<void> | undefined;
  #running: Promise<void>[] = [];
  #stopping = false;
  #error: unknown;
  readonly regions = new Keys<number>();
  readonly warehouses = new Keys<number>();
  readonly suppliers = new Keys<number>();
  readonly products = new Keys<number>();
  readonly customers = new Keys<number>();
  readonly customerPrices = pairKeys();
  readonly supplierProducts = pairKeys();
  readonly lanes = pairKeys();
  readonly reorderRules = new Keys<number>();
  readonly purchaseOrders = new Keys<number>();
  readonly poLines = pairKeys(); // [order, line]

  constructor(pool: pg.Pool, options: WorkloadOptions) {
    this.#pool = pool;
    this.#o = { concurrency: 3, pauseMs: 0, ...options };
    this.#tag = `w${options.seed.toString(36)}`;
  }

  /** Runs `transactions` random transactions (spread over the workers); resolves with the stats. */
  async run(transactions: number): Promise<WorkloadStats> {
    await this.#bootstrap();
    let left = transactions;
    await Promise.all(Array.from({ length: this.#o.concurrency }, (_, w) => this.#worker(w, () => left-- > 0)));
    return this.stats;
  }

  /** Starts a continuous load; stop() ends it after the transactions in flight. */
  start(): void {
    this.#stopping = false;
    const running = this.#bootstrap().then(() =>
      Promise.all(Array.from({ length: this.#o.concurrency }, (_, w) => this.#worker(w + 100 * ++this.#starts, () => !this.#stopping)))
    );
    // Held until stop(), which reports the failure (a bug in the workload, not an expected abort).
    this.#running.push(running.then(() => undefined, (err: unknown) => void (this.#error ??= err)));
  }

  async stop(): Promise<WorkloadStats> {
    this.#stopping = true;
    await Promise.all(this.#running);
    this.#running = [];
    if (this.#error) throw this.#error;
    return this.stats;
  }

  #code(kind: string): string {
    return `${this.#tag}-${kind}-${++this.#serial}`;
  }

  /** A small network to build on: regions, warehouses, suppliers, products, customers (counted like any change). */
  #bootstrap(): Promise<void> {
    this.#bootstrapped ??= this.#transaction(rng(this.#o.seed), false, async (t, r) => {
      for (let i = 0; i < 3; i++) await this.#insertRegion(t, r);
      for (let i = 0; i < 4; i++) await this.#insertWarehouse(t, r);
      for (let i = 0; i < 3; i++) await this.#insertSupplier(t, r);
      for (let i = 0; i < 12; i++) await this.#insertProduct(t, r);
      for (let i = 0; i < 6; i++) await this.#insertCustomer(t, r);
    }).then((ok) => {
      if (!ok) throw new Error('the workload bootstrap transaction did not commit');
    });
    return this.#bootstrapped;
  }

  async #worker(index: number, more: () => boolean): Promise<void> {
    const r = rng(this.#o.seed * 7919 + index + 1);
    while (more()) {
      await this.#transaction(r, true, (t) => this.#randomWork(t, r));
      if (this.#o.pauseMs > 0) await new Promise((res) => setTimeout(res, r.int(this.#o.pauseMs * 2)));
    }
  }

  /** BEGIN, work, then COMMIT (or, when it may abort, sometimes not); true when it committed. Counts only what committed. */
  async #transaction(r: Rng, mayAbort: boolean, work: (t: Txn, r: Rng) => Promise<void>): Promise<boolean> {
    const client = await this.#pool.connect();
    const t = new Txn(client);
    try {
      await client.query('BEGIN');
      if (r.chance(0.3)) {
        await client.query("SELECT pg_logical_emit_message(true, 'opstower.audit', $1)", [JSON.stringify({ actorId: null, actor: 'workload', action: `workload.${this.#tag}` })]);
      }
      await work(t, r);
      if (mayAbort && r.chance(0.08)) {
        await client.query('ROLLBACK');
        this.stats.rolledBack++;
        return false;
      }
      if (mayAbort && r.chance(0.07)) await this.#failOnPurpose(t, r);
      await client.query('COMMIT');
    } catch (err) {
      await client.query('ROLLBACK').catch(() => undefined);
      if (!EXPECTED_FAILURE.test((err as { code?: string }).code ?? '')) throw err;
      this.stats.failed++;
      return false;
    } finally {
      client.release();
    }
    this.stats.committed++;
    for (const [table, n] of Object.entries(t.counts)) {
      this.stats.changes += n;
      this.stats.changesByTable[table] = (this.stats.changesByTable[table] ?? 0) + n;
    }
    for (const effect of t.effects) effect();
    return true;
  }

  async #randomWork(t: Txn, r: Rng): Promise<void> {
    const statements = 1 + r.int(6);
    for (let i = 0; i < statements; i++) {
      if (r.chance(0.06)) {
        await this.#savepoint(t, r);
        continue;
      }
      await r.pick(this.#operations)(t, r);
    }
  }

  /** Work inside a savepoint, then either released (kept) or rolled back to (not in the change log). */
  async #savepoint(t: Txn, r: Rng): Promise<void> {
    const saved = { counts: { ...t.counts }, effects: t.effects.length };
    await t.client.query('SAVEPOINT sp');
    await r.pick(this.#operations)(t, r);
    await r.pick(this.#operations)(t, r);
    if (r.chance(0.5)) {
      await t.client.query('RELEASE SAVEPOINT sp');
    } else {
      await t.client.query('ROLLBACK TO SAVEPOINT sp');
      t.counts = saved.counts;
      t.effects.length = saved.effects;
    }
  }

  /** A statement that must fail on a constraint, after the transaction has done its work. */
  async #failOnPurpose(t: Txn, r: Rng): Promise<void> {
    const attempts = [
      () => t.exec('products', "INSERT INTO products (sku, name, cost_minor, price_minor, category) VALUES ($1, 'bad', -1, 1, 'x')", [this.#code('sku')]),
      () => t.exec('customer_prices', 'INSERT INTO customer_prices (customer_id, product_id, price_minor) VALUES (2147483000, 1, 1)'),
      () => t.exec('regions', "INSERT INTO regions (code, name) VALUES ($1, 'dup'), ($1, 'dup')", [this.#code('dup')]),
      () => t.exec('reorder_rules', 'UPDATE reorder_rules SET max_qty = -1 WHERE id = (SELECT min(id) FROM reorder_rules)')
    ];
    const res = await r.pick(attempts)();
    // The reorder-rule update fails only when a rule exists; otherwise make it fail another way.
    if (res.rowCount === 0) await attempts[0]!();
    throw new Error(`a statement meant to fail on a constraint succeeded: ${res.command}`);
  }

  readonly #operations: ((t: Txn, r: Rng) => unknown)[] = [
    (t, r) => this.#insertRegion(t, r),
    (t, r) => this.#updateOne(t, 'regions', 'name = $2', this.regions.pick(r), [r.pick(AWKWARD)]),
    (t, r) => this.regions.size > 2 && this.#deleteById(t, 'regions', this.regions.pick(r), this.regions), // fails while referenced
    (t, r) => this.#insertWarehouse(t, r),
    (t, r) => this.#updateOne(t, 'warehouses', 'time_zone = $2, name = name || $3', this.warehouses.pick(r), [r.pick(['UTC', 'Europe/Berlin', 'America/Chicago']), '.']),
    (t, r) => this.#insertSupplier(t, r),
    (t, r) => this.#insertProduct(t, r),
    (t, r) => this.#insertProduct(t, r),
    (t, r) => this.#updateOne(t, 'products', 'pack_sizes = pack_sizes || $2::jsonb', this.products.pick(r), [JSON.stringify([{ name: r.pick(AWKWARD), qty: 1 + r.int(48) }])]),
    (t, r) => this.#updateOne(t, 'products', "pack_sizes = jsonb_set(pack_sizes, '{0}', $2::jsonb, true)", this.products.pick(r), [JSON.stringify({ name: 'case', qty: r.int(100), nested: { k: [1, null, 'x'] } })]),
    (t, r) => this.#updateOne(t, 'products', 'price_minor = price_minor + $2, cost_minor = $2', this.products.pick(r), [r.int(1000)]), // a TOASTed name stays unchanged
    (t, r) => t.exec('products', 'UPDATE products SET active = NOT active WHERE id % $1 = $2', [5 + r.int(5), r.int(5)]),
    (t, r) => this.#deleteWithChildren(t, 'products', this.products, this.products.pick(r), PRODUCT_CHILDREN, (id) => this.#forget(id, 1, this.customerPrices, this.supplierProducts)),
    (t, r) => this.#insertCustomer(t, r),
    (t, r) => this.#updateOne(t, 'customers', 'credit_limit_minor = $2, on_hold = NOT on_hold, tier = $3', this.customers.pick(r), [r.int(10_000_000), r.pick(['key', 'standard', 'small'])]),
    (t, r) => this.#deleteWithChildren(t, 'customers', this.customers, this.customers.pick(r), [['customer_prices', 'customer_id']], (id) => this.#forget(id, 0, this.customerPrices)),
    (t, r) => this.#upsertPair(t, r, 'customer_prices', 'customer_id, product_id, price_minor', this.customers, this.products, this.customerPrices),
    (t, r) => this.#upsertPair(t, r, 'customer_prices', 'customer_id, product_id, price_minor', this.customers, this.products, this.customerPrices),
    (t, r) => this.#deletePair(t, r, 'customer_prices', 'customer_id', 'product_id', this.customerPrices),
    (t, r) => this.#moveCustomerPrice(t, r),
    (t, r) => this.#upsertPair(t, r, 'supplier_products', 'supplier_id, product_id, cost_minor, lead_time_days', this.suppliers, this.products, this.supplierProducts),
    (t, r) => this.#deletePair(t, r, 'supplier_products', 'supplier_id', 'product_id', this.supplierProducts),
    (t, r) => this.#upsertPair(t, r, 'transfer_lanes', 'from_warehouse_id, to_warehouse_id, lead_time_days', this.warehouses, this.warehouses, this.lanes),
    (t, r) => this.#deletePair(t, r, 'transfer_lanes', 'from_warehouse_id', 'to_warehouse_id', this.lanes),
    (t, r) => this.#insertReorderRule(t, r),
    (t, r) => this.#updateOne(t, 'reorder_rules', 'min_qty = $2::int, max_qty = $2::int + $3::int', this.reorderRules.pick(r), [r.int(50), r.int(50)]),
    (t, r) => this.#deleteById(t, 'reorder_rules', this.reorderRules.pick(r), this.reorderRules),
    (t, r) => this.#createPurchaseOrder(t, r),
    (t, r) => this.#receivePurchaseOrderLine(t, r),
    (t, r) => this.#deleteWithChildren(t, 'purchase_orders', this.purchaseOrders, this.purchaseOrders.pick(r), [['purchase_order_lines', 'purchase_order_id']], (id) => this.#forget(id, 0, this.poLines))
  ];

  /** Forgets the pairs whose element `at` is `id` (the rows went with a deleted parent). */
  #forget(id: number, at: 0 | 1, ...sets: Keys<Pair>[]): void {
    for (const keys of sets) for (const p of keys.filter((p) => p[at] === id)) keys.remove(p);
  }

  async #updateOne(t: Txn, table: string, set: string, id: number | undefined, values: unknown[]): Promise<void> {
    if (id !== undefined) await t.exec(table, `UPDATE ${table} SET ${set} WHERE id = $1`, [id, ...values]);
  }

  async #deleteById(t: Txn, table: string, id: number | undefined, keys: Keys<number>): Promise<void> {
    if (id === undefined) return;
    await t.exec(table, `DELETE FROM ${table} WHERE id = $1`, [id]);
    t.onCommit(() => keys.remove(id));
  }

  /** INSERT ... RETURNING id; the new id is known once the transaction commits. */
  async #insert(t: Txn, table: string, keys: Keys<number>, row: Record<string, unknown>): Promise<number> {
    const columns = Object.keys(row);
    const sql = `INSERT INTO ${table} (${columns.join(', ')}) VALUES (${columns.map((_, i) => `$${i + 1}`).join(', ')}) RETURNING id`;
    const id = Number((await t.exec(table, sql, Object.values(row))).rows[0]!.id);
    t.onCommit(() => keys.add(id));
    return id;
  }

  /** Deletes a row after the rows that refer to it by `children` (table, column); a remaining reference fails it. */
  async #deleteWithChildren(t: Txn, table: string, keys: Keys<number>, id: number | undefined, children: [string, string][], forget: (id: number) => void) {
    if (id === undefined || keys.size < 6) return;
    for (const [child, column] of children) await t.exec(child, `DELETE FROM ${child} WHERE ${column} = $1`, [id]);
    await t.exec(table, `DELETE FROM ${table} WHERE id = $1`, [id]);
    t.onCommit(() => (keys.remove(id), forget(id)));
  }

  #insertRegion(t: Txn, r: Rng) {
    return this.#insert(t, 'regions', this.regions, { code: this.#code('r'), name: r.pick(AWKWARD) });
  }

  async #insertWarehouse(t: Txn, r: Rng) {
    const region = this.regions.pick(r);
    const kind = r.pick(['central_dc', 'branch', 'depot']);
    if (region !== undefined) await this.#insert(t, 'warehouses', this.warehouses, { code: this.#code('wh'), name: r.pick(AWKWARD), kind, region_id: region });
  }

  #insertSupplier(t: Txn, r: Rng) {
    return this.#insert(t, 'suppliers', this.suppliers, { code: this.#code('s'), name: r.pick(AWKWARD) });
  }

  /** One product in ten has a name long enough to be TOASTed out of line. */
  #insertProduct(t: Txn, r: Rng) {
    const name = r.chance(0.1) ? Array.from({ length: 900 }, () => r.int(2 ** 31).toString(36)).join(' ') : r.pick(AWKWARD);
    const packs = Array.from({ length: r.int(3) }, (_, i) => ({ name: r.pick(AWKWARD), qty: (i + 1) * 6 }));
    return this.#insert(t, 'products', this.products, {
      sku: this.#code('sku'),
      name,
      pack_sizes: JSON.stringify(packs),
      cost_minor: r.int(10_000),
      price_minor: r.int(20_000),
      category: r.pick(['tools', 'paint', 'garden']),
      abc_class: r.pick(['A', 'B', 'C'])
    });
  }

  async #insertCustomer(t: Txn, r: Rng) {
    const region = this.regions.pick(r);
    if (region !== undefined) await this.#insert(t, 'customers', this.customers, { code: this.#code('c'), name: r.pick(AWKWARD), region_id: region, credit_limit_minor: r.int(1e6) });
  }

  /** INSERT ... ON CONFLICT DO UPDATE on a two-column key (an insert or an update, one change either way). */
  async #upsertPair(t: Txn, r: Rng, table: string, columns: string, left: Keys<number>, right: Keys<number>, pairs: Keys<Pair>) {
    const a = left.pick(r);
    const b = right.pick(r);
    if (a === undefined || b === undefined || a === b) return;
    const [k1, k2, ...rest] = columns.split(', ');
    const values = [a, b, ...rest.map(() => r.int(30))];
    await t.exec(
      table,
      `INSERT INTO ${table} (${columns}) VALUES (${values.map((_, i) => `$${i + 1}`).join(', ')})
       ON CONFLICT (${k1}, ${k2}) DO UPDATE SET ${rest.map((c) => `${c} = EXCLUDED.${c}`).join(', ')}`,
      values
    );
    t.onCommit(() => pairs.add([a, b]));
  }

  async #deletePair(t: Txn, r: Rng, table: string, k1: string, k2: string, pairs: Keys<Pair>) {
    const p = pairs.pick(r);
    if (!p) return;
    await t.exec(table, `DELETE FROM ${table} WHERE ${k1} = $1 AND ${k2} = $2`, p);
    t.onCommit(() => pairs.remove(p));
  }

  /** An UPDATE of the primary key: the row under the old key is gone. Fails when the new key is taken. */
  async #moveCustomerPrice(t: Txn, r: Rng) {
    const p = this.customerPrices.pick(r);
    const to = this.products.pick(r);
    if (!p || to === undefined || to === p[1]) return;
    const res = await t.exec('customer_prices', 'UPDATE customer_prices SET product_id = $3 WHERE customer_id = $1 AND product_id = $2', [...p, to]);
    t.onCommit(() => (this.customerPrices.remove(p), res.rowCount && this.customerPrices.add([p[0], to])));
  }

  async #insertReorderRule(t: Txn, r: Rng) {
    const product = this.products.pick(r);
    const warehouse = this.warehouses.pick(r);
    const fromSupplier = r.chance(0.5);
    const source = fromSupplier ? this.suppliers.pick(r) : this.warehouses.filter((w) => w !== warehouse)[0];
    if (product === undefined || warehouse === undefined || source === undefined) return;
    const { rows } = await t.exec(
      'reorder_rules',
      `INSERT INTO reorder_rules (product_id, warehouse_id, min_qty, max_qty, lead_time_days, source_supplier_id, source_warehouse_id)
       VALUES ($1, $2, 5, 50, 3, $3, $4) ON CONFLICT (product_id, warehouse_id) DO NOTHING RETURNING id`,
      [product, warehouse, fromSupplier ? source : null, fromSupplier ? null : source]
    );
    t.onCommit(() => rows[0] && this.reorderRules.add(rows[0].id));
  }

  /** An order and its lines in one transaction (a multi-row INSERT). */
  async #createPurchaseOrder(t: Txn, r: Rng) {
    const supplier = this.suppliers.pick(r);
    const warehouse = this.warehouses.pick(r);
    if (supplier === undefined || warehouse === undefined) return;
    const date = `2026-${String(1 + r.int(12)).padStart(2, '0')}-${String(1 + r.int(28)).padStart(2, '0')}`;
    const order = await this.#insert(t, 'purchase_orders', this.purchaseOrders, { supplier_id: supplier, warehouse_id: warehouse, expected_date: date });
    const products = Array.from({ length: 1 + r.int(4) }, () => this.products.pick(r)!);
    const lines = await t.exec(
      'purchase_order_lines',
      `INSERT INTO purchase_order_lines (purchase_order_id, product_id, ordered_qty, unit_cost_minor)
       VALUES ${products.map((_, i) => `($1, $${i + 2}, ${1 + r.int(100)}, ${r.int(5000)})`).join(', ')} RETURNING id`,
      [order, ...products]
    );
    t.onCommit(() => lines.rows.forEach((l) => this.poLines.add([order, Number(l.id)])));
  }

  async #receivePurchaseOrderLine(t: Txn, r: Rng) {
    const line = this.poLines.pick(r);
    if (!line) return;
    await t.exec('purchase_order_lines', 'UPDATE purchase_order_lines SET received_qty = received_qty + $2 WHERE id = $1', [line[1], 1 + r.int(5)]);
    await t.exec('purchase_orders', "UPDATE purchase_orders SET state = 'partially_received', sent_at = coalesce(sent_at, now()) WHERE id = $1", [line[0]]);
  }
}
