import { and, eq, inArray } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import { SYSTEM_ACTOR } from '../../app/lib/server/core/actor';
import { CsvImportError, importCsv } from '../../app/lib/server/core/csv-import';
import { tables } from '../../app/lib/server/core/db';
import { DomainError } from '../../app/lib/server/core/errors';
import { ledgerViolations } from '../../app/lib/server/core/invariants';
import { createOpenMoves } from '../../app/lib/server/core/ledger';
import { transact } from '../../app/lib/server/core/transaction';
import type { CsvImportKind } from '../../schemas/api/csv';
import { coreFixture, type CoreFixture } from '../support/core';

let f: CoreFixture;
beforeAll(async () => {
  f = await coreFixture();
});

const { products, customers, stockMoves, stockBalances, salesOrders, salesOrderLines } = tables;

const run = (kind: CsvImportKind, text: string) => importCsv(f.db, f.actorFor('admin'), { kind, text });
const refusal = (kind: CsvImportKind, text: string) =>
  run(kind, text).then(
    () => {
      throw new Error('the import should have been refused');
    },
    (e: unknown) => e as CsvImportError
  );
const state = async () => ({
  products: await f.db.$count(products),
  customers: await f.db.$count(customers),
  moves: await f.db.$count(stockMoves)
});

describe('CSV import: products', () => {
  it('imports every row of a good file, quoted commas, quotes and line breaks included', async () => {
    const text = [
      'sku,name,category,cost_minor,price_minor,base_unit,abc_class',
      'P-100,"Bolt, hex ""M8""",fasteners,12,30,each,A',
      'P-101,Plain washer,fasteners,1,3,,',
      '"P-102","Cable\r\n2 m",electrical,250,600,box,B',
      ''
    ].join('\r\n');
    expect(await run('products', text)).toEqual({ imported: 3 });
    const rows = await f.db.select().from(products).where(inArray(products.sku, ['P-100', 'P-101', 'P-102']));
    const bySku = new Map(rows.map((r) => [r.sku, r]));
    expect(bySku.get('P-100')).toMatchObject({ name: 'Bolt, hex "M8"', costMinor: 12, priceMinor: 30, abcClass: 'A' });
    expect(bySku.get('P-101')).toMatchObject({ baseUnit: 'each', abcClass: 'C' }); // blanks take the defaults
    expect(bySku.get('P-102')).toMatchObject({ name: 'Cable\r\n2 m', baseUnit: 'box' });
  });

  it('writes nothing when two rows among good ones are bad, and reports both with line and column', async () => {
    const before = await state();
    const text = [
      'sku,name,category,cost_minor,price_minor',
      'G-1,Good one,tools,1,2',
      'G-2,Bad price,tools,1,abc',
      'G-3,Good three,tools,1,2',
      'G-1,Same SKU again,tools,1,2',
      'G-4,Good four,tools,1,2'
    ].join('\n');
    const err = await refusal('products', text);
    expect(err).toBeInstanceOf(CsvImportError);
    expect(err.code).toBe('BAD_REQUEST');
    expect(err.rows).toEqual([
      { line: 3, column: 'price_minor', message: '"abc" is not a number' },
      { line: 5, column: 'sku', message: 'SKU G-1 appears again (first on line 2)' }
    ]);
    expect(err.fieldErrors).toEqual({ 'line 3, price_minor': ['"abc" is not a number'], 'line 5, sku': ['SKU G-1 appears again (first on line 2)'] });
    expect(err.message).toMatch(/nothing was imported: 2 errors on 2 lines/);
    expect(await state()).toEqual(before);
  });

  it('reports schema failures in the API’s own words, SKUs already in the database, and short rows', async () => {
    const before = await state();
    const text = [
      'sku,name,category,cost_minor,price_minor,abc_class',
      'SKU-1,Exists already,tools,1,2,A',
      'H-1,,tools,1.5,-3,D',
      'bad sku!,Name,tools,1,2,A',
      'H-2,Too few,tools'
    ].join('\n');
    const err = await refusal('products', text);
    expect(err.rows).toEqual([
      { line: 2, column: 'sku', message: 'SKU SKU-1 already exists' },
      { line: 3, column: 'name', message: 'is required' },
      { line: 3, column: 'cost_minor', message: 'must be whole minor units (cents)' },
      { line: 3, column: 'price_minor', message: 'cannot be negative' },
      { line: 3, column: 'abc_class', message: expect.stringMatching(/"A"\|"B"\|"C"/) },
      { line: 4, column: 'sku', message: 'may hold letters, digits and . _ - / only' },
      { line: 5, column: null, message: 'has 3 fields; the header has 6' }
    ]);
    expect(await state()).toEqual(before);
  });

  it('refuses a bad header before looking at rows', async () => {
    const err = await refusal('products', 'sku,name,colour,cost_minor\nX,Y,red,1\n');
    expect(err.rows).toEqual([
      { line: 1, column: 'colour', message: expect.stringMatching(/^unknown column; the columns are sku, name, category/) },
      { line: 1, column: 'category', message: 'is missing from the header' },
      { line: 1, column: 'price_minor', message: 'is missing from the header' }
    ]);
  });

  it('reports malformed quoting at its line', async () => {
    const err = await refusal('products', 'sku,name,category,cost_minor,price_minor\nQ-1,"Bolt" M8,tools,1,2\n');
    expect(err.rows).toEqual([{ line: 2, column: 'name', message: 'text after the closing quote of a quoted field' }]);
  });

  it('refuses files over 50,000 rows or 5 MB, and empty ones', async () => {
    const many = `sku,name,category,cost_minor,price_minor\n${'X,Y,Z,1,2\n'.repeat(50_001)}`;
    await expect(run('products', many)).rejects.toMatchObject({ code: 'BAD_REQUEST', message: expect.stringMatching(/50001 rows; at most 50000/) });
    // multi-byte characters: under 5 M characters, over 5 MB
    const big = `sku,name,category,cost_minor,price_minor\nX,${'é'.repeat(2_700_000)},Z,1,2\n`;
    await expect(run('products', big)).rejects.toMatchObject({ code: 'BAD_REQUEST', message: expect.stringMatching(/larger than 5 MB/) });
    await expect(run('products', '')).rejects.toMatchObject({ code: 'BAD_REQUEST', message: expect.stringMatching(/empty/) });
    await expect(run('products', 'sku,name,category,cost_minor,price_minor\n')).rejects.toMatchObject({ code: 'BAD_REQUEST', message: expect.stringMatching(/no rows/) });
  });
});

describe('CSV import: customers', () => {
  it('imports customers with region codes and flags, and refuses unknown regions and taken codes', async () => {
    const text = [
      'code,name,region_code,tier,credit_limit_minor,payment_terms_days,on_hold',
      'K-1,"Key Account, Ltd",N,key,500000,45,no',
      'K-2,Small Shop,N,,0,,yes'
    ].join('\n');
    expect(await run('customers', text)).toEqual({ imported: 2 });
    const rows = await f.db.select().from(customers).where(inArray(customers.code, ['K-1', 'K-2']));
    expect(rows.map((c) => [c.code, c.name, c.regionId, c.tier, c.creditLimitMinor, c.paymentTermsDays, c.onHold]).sort()).toEqual([
      ['K-1', 'Key Account, Ltd', f.region.id, 'key', 500000, 45, false],
      ['K-2', 'Small Shop', f.region.id, 'standard', 0, 30, true]
    ]);

    const before = await state();
    const bad = ['code,name,region_code,credit_limit_minor,on_hold', 'K-3,Fine,N,10,false', 'K-1,Taken,N,10,', 'K-4,Nowhere,ZZ,10,maybe'].join('\n');
    const err = await refusal('customers', bad);
    expect(err.rows).toEqual([
      { line: 3, column: 'code', message: 'customer K-1 already exists' },
      { line: 4, column: 'region_code', message: 'no region has code ZZ' },
      { line: 4, column: 'on_hold', message: '"maybe" is not true or false' }
    ]);
    expect(await state()).toEqual(before);
  });
});

describe('CSV import: opening balances', () => {
  it('posts opening-balance moves from adjustment to stock and fills a waiting order', async () => {
    const [p1, p2] = [f.products[0]!.id, f.products[1]!.id];
    const lineId = await transact(f.db, SYSTEM_ACTOR, 'test.backorder', async (tx) => {
      const [order] = await tx.insert(salesOrders).values({ customerId: f.customer.id, warehouseId: f.whB.id, state: 'confirmed', confirmedAt: new Date() }).returning();
      const [line] = await tx.insert(salesOrderLines).values({ orderId: order!.id, lineNo: 1, productId: p2, orderedQty: 4, unitPriceMinor: 1, backorderedQty: 4 }).returning();
      await createOpenMoves(tx, SYSTEM_ACTOR, [
        { productId: p2, qty: 4, fromLocationId: f.locB.stock, toLocationId: f.locB.customer, documentType: 'sales_order', documentId: order!.id, documentLineId: line!.id, state: 'confirmed' }
      ]);
      return line!.id;
    });
    expect(await run('opening_balances', 'warehouse_code,sku,qty\nA,SKU-1,40\nB,SKU-1,7\nB,SKU-2,10\n')).toEqual({ imported: 3 });
    const moves = await f.db.select().from(stockMoves).where(eq(stockMoves.documentType, 'opening_balance'));
    expect(moves.map((m) => [m.productId, m.fromLocationId, m.toLocationId, m.qty, m.state]).sort()).toEqual(
      [
        [p1, f.locA.adjustment, f.locA.stock, 40, 'done'],
        [p1, f.locB.adjustment, f.locB.stock, 7, 'done'],
        [p2, f.locB.adjustment, f.locB.stock, 10, 'done']
      ].sort()
    );
    expect(new Set(moves.map((m) => m.documentId)).size).toBe(1);
    const [b] = await f.db.select().from(stockBalances).where(and(eq(stockBalances.productId, p2), eq(stockBalances.locationId, f.locB.stock)));
    expect(b).toMatchObject({ onHand: 10, reserved: 4 });
    const [line] = await f.db.select().from(salesOrderLines).where(eq(salesOrderLines.id, lineId));
    expect(line!.reservedQty).toBe(4);
    expect(await ledgerViolations(f.db)).toEqual([]);
  });

  it('refuses unknown codes, duplicates, bad quantities and stock that is already there, writing nothing', async () => {
    const before = await state();
    const text = ['warehouse_code,sku,qty', 'A,SKU-3,5', 'X,SKU-3,5', 'A,NOPE,5', 'A,SKU-3,2', 'B,SKU-3,0', 'A,SKU-1,5'].join('\n');
    const err = await refusal('opening_balances', text);
    expect(err.rows).toEqual([
      { line: 3, column: 'warehouse_code', message: 'no warehouse has code X' },
      { line: 4, column: 'sku', message: 'no product has SKU NOPE' },
      { line: 5, column: 'sku', message: 'SKU SKU-3 at warehouse A appears again (first on line 2)' },
      { line: 6, column: 'qty', message: 'must be at least 1' },
      { line: 7, column: 'sku', message: expect.stringMatching(/SKU SKU-1 already has 40 on hand at warehouse A/) }
    ]);
    expect(await state()).toEqual(before);
    expect(await ledgerViolations(f.db)).toEqual([]);
  });

  it('keeps a warehouse-scoped actor to their warehouse', async () => {
    const before = await state();
    const err = await importCsv(f.db, f.actorFor('warehouse'), { kind: 'opening_balances', text: 'warehouse_code,sku,qty\nB,SKU-3,1\n' }).catch((e: DomainError) => e);
    expect(err).toMatchObject({ code: 'FORBIDDEN' });
    expect(await state()).toEqual(before);
  });
});
