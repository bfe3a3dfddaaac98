import { and, inArray, ne, sql } from 'drizzle-orm';
import type { z } from 'zod';
import { customerInput, productInput } from '../../../../schemas/api/catalog';
import {
  CSV_MAX_BYTES,
  CSV_MAX_ROWS,
  csvImportInput,
  openingBalanceRow,
  type CsvImportInput,
  type CsvImportKind,
  type CsvRowError
} from '../../../../schemas/api/csv';
import { assertWarehouseScope, type Actor } from './actor';
import { insertCustomers, insertProducts } from './catalog';
import { isBlankRecord, parseCsv, type CsvRecord } from './csv';
import type { CoreDb, Tx } from './db';
import { tables } from './db';
import { DomainError, invalid } from './errors';
import { postDoneMoves } from './ledger';
import { newDocumentId } from './ledger';
import { allocate } from './reservation';
import { transact } from './transaction';

const { regions, warehouses, locations, products, customers, stockBalances } = tables;

/** Errors listed in one answer; the message always gives the total. */
const MAX_REPORTED_ERRORS = 1000;
/** Rows per INSERT, well under PostgreSQL's 65,535 parameters per statement. */
const CHUNK = 1000;

/** A refused import: nothing was written; `rows` lists what is wrong, line by line. */
export class CsvImportError extends DomainError {
  readonly rows: CsvRowError[];
  constructor(errors: CsvRowError[]) {
    const rows = [...errors].sort((a, b) => a.line - b.line); // stable: a line's errors keep column order
    const shown = rows.slice(0, MAX_REPORTED_ERRORS);
    const lines = new Set(rows.map((r) => r.line)).size;
    const first = rows[0] ? ` First: line ${rows[0].line}${rows[0].column ? `, ${rows[0].column}` : ''}: ${rows[0].message}.` : '';
    const fieldErrors: Record<string, string[]> = {};
    for (const r of shown) (fieldErrors[`line ${r.line}${r.column ? `, ${r.column}` : ''}`] ??= []).push(r.message);
    super(
      'BAD_REQUEST',
      `nothing was imported: ${rows.length} error${rows.length === 1 ? '' : 's'} on ${lines} line${lines === 1 ? '' : 's'}` +
        (rows.length > shown.length ? ` (the first ${shown.length} are listed)` : '') +
        `.${first}`,
      fieldErrors
    );
    this.rows = rows;
  }
}

type CellKind = 'text' | 'int' | 'bool' | 'lookup';
interface Field {
  column: string;
  key: string;
  kind: CellKind;
  /** The column must be in the header (the others fall back to the schema's default). */
  required?: boolean;
}

/** The columns of each kind of file and the API field each one fills. */
const FIELDS: Record<CsvImportKind, Field[]> = {
  products: [
    { column: 'sku', key: 'sku', kind: 'text', required: true },
    { column: 'name', key: 'name', kind: 'text', required: true },
    { column: 'category', key: 'category', kind: 'text', required: true },
    { column: 'cost_minor', key: 'costMinor', kind: 'int', required: true },
    { column: 'price_minor', key: 'priceMinor', kind: 'int', required: true },
    { column: 'base_unit', key: 'baseUnit', kind: 'text' },
    { column: 'abc_class', key: 'abcClass', kind: 'text' }
  ],
  customers: [
    { column: 'code', key: 'code', kind: 'text', required: true },
    { column: 'name', key: 'name', kind: 'text', required: true },
    { column: 'region_code', key: 'regionId', kind: 'lookup', required: true },
    { column: 'tier', key: 'tier', kind: 'text' },
    { column: 'credit_limit_minor', key: 'creditLimitMinor', kind: 'int', required: true },
    { column: 'payment_terms_days', key: 'paymentTermsDays', kind: 'int' },
    { column: 'on_hold', key: 'onHold', kind: 'bool' }
  ],
  opening_balances: [
    { column: 'warehouse_code', key: 'warehouseId', kind: 'lookup', required: true },
    { column: 'sku', key: 'productId', kind: 'lookup', required: true },
    { column: 'qty', key: 'qty', kind: 'int', required: true }
  ]
};

/** Resolves a code to an id, or says why it cannot. */
type Lookup = (value: string) => number | { error: string };

interface Row<T> {
  line: number;
  data: T;
}

/**
 * Imports a CSV file of products, customers or opening balances: every row or
 * none. Rows are validated with the API's own schemas plus lookups (region,
 * warehouse, SKU) and duplicate checks (in the file and in the database); any
 * problem refuses the whole file with a CsvImportError listing each one by file
 * line (the header is line 1) and column.
 */
export async function importCsv(db: CoreDb, actor: Actor, input: CsvImportInput): Promise<{ imported: number }> {
  const { kind, text } = csvImportInput.parse(input);
  if (Buffer.byteLength(text, 'utf8') > CSV_MAX_BYTES) throw invalid('the file is larger than 5 MB: split it into smaller files');
  const { records, issues } = parseCsv(text);
  const [header, ...rows] = records.filter((r) => !isBlankRecord(r));
  if (!header) throw invalid('the file is empty: it needs a header row and at least one row');
  if (rows.length === 0) throw invalid('the file has a header but no rows');
  if (rows.length > CSV_MAX_ROWS) throw invalid(`the file has ${rows.length} rows; at most ${CSV_MAX_ROWS} per import: split it`);

  const names = header.fields.map((h) => h.trim().toLowerCase());
  const errors: CsvRowError[] = issues.map((i) => ({ line: i.line, column: i.line > header.line ? (names[i.field - 1] ?? null) : null, message: i.message }));
  const fields = FIELDS[kind];
  names.forEach((n, i) => {
    if (!fields.some((f) => f.column === n)) errors.push({ line: header.line, column: n || null, message: `unknown column; the columns are ${fields.map((f) => f.column).join(', ')}` });
    else if (names.indexOf(n) !== i) errors.push({ line: header.line, column: n, message: 'appears twice in the header' });
  });
  for (const f of fields) if (f.required && !names.includes(f.column)) errors.push({ line: header.line, column: f.column, message: 'is missing from the header' });
  if (errors.some((e) => e.line === header.line)) throw new CsvImportError(errors);

  return transact(db, actor, `catalog.import.${kind}`, async (tx) => {
    const imported =
      kind === 'products'
        ? await importProducts(tx, rows, names, errors)
        : kind === 'customers'
          ? await importCustomers(tx, rows, names, errors)
          : await importOpeningBalances(tx, actor, rows, names, errors);
    return { imported };
  });
}

/** Turns each record into the schema's input, validates it, and collects the errors; returns the good rows. */
function validateRows<S extends z.ZodType>(
  schema: S,
  fields: Field[],
  records: CsvRecord[],
  names: string[],
  lookups: Record<string, Lookup>,
  errors: CsvRowError[]
): Row<z.output<S>>[] {
  const good: Row<z.output<S>>[] = [];
  for (const record of records) {
    if (record.fields.length !== names.length) {
      errors.push({ line: record.line, column: null, message: `has ${record.fields.length} fields; the header has ${names.length}` });
      continue;
    }
    const value: Record<string, unknown> = {};
    const failed = new Set<string>();
    for (const f of fields) {
      const index = names.indexOf(f.column);
      const cell = index < 0 ? '' : record.fields[index]!.trim();
      const converted = cell === '' ? undefined : convert(f, cell, lookups[f.column]);
      if (converted !== undefined && typeof converted === 'object') {
        errors.push({ line: record.line, column: f.column, message: converted.error });
        failed.add(f.key);
      } else value[f.key] = converted;
    }
    const parsed = schema.safeParse(value, { error: (issue) => (issue.input === undefined ? 'is required' : undefined) });
    if (parsed.success && failed.size === 0) good.push({ line: record.line, data: parsed.data });
    else if (!parsed.success) {
      for (const issue of parsed.error.issues) {
        const key = String(issue.path[0] ?? '');
        if (failed.has(key)) continue; // already reported in the column's own words
        errors.push({ line: record.line, column: fields.find((f) => f.key === key)?.column ?? null, message: issue.message });
      }
    }
  }
  return good;
}

function convert(field: Field, cell: string, lookup?: Lookup): string | number | boolean | { error: string } {
  switch (field.kind) {
    case 'text':
      return cell;
    case 'int':
      // Decimals pass through so that the schema says what it wants ("must be whole minor units").
      return /^[+-]?(\d+|\d*\.\d+)$/.test(cell) ? Number(cell) : { error: `"${cell}" is not a number` };
    case 'bool':
      if (/^(true|yes|y|1)$/i.test(cell)) return true;
      if (/^(false|no|n|0)$/i.test(cell)) return false;
      return { error: `"${cell}" is not true or false` };
    case 'lookup':
      return lookup!(cell);
  }
}

/** Reports the second and later rows with the same key. */
function duplicatesInFile<T>(rows: Row<T>[], key: (d: T) => string, column: string, what: (d: T) => string, errors: CsvRowError[]): void {
  const first = new Map<string, number>();
  for (const r of rows) {
    const k = key(r.data);
    const seen = first.get(k);
    if (seen === undefined) first.set(k, r.line);
    else errors.push({ line: r.line, column, message: `${what(r.data)} appears again (first on line ${seen})` });
  }
}

function chunks<T>(items: T[], size = CHUNK): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

async function importProducts(tx: Tx, records: CsvRecord[], names: string[], errors: CsvRowError[]): Promise<number> {
  const rows = validateRows(productInput, FIELDS.products, records, names, {}, errors);
  duplicatesInFile(rows, (p) => p.sku, 'sku', (p) => `SKU ${p.sku}`, errors);
  const existing = new Set<string>();
  for (const part of chunks(rows.map((r) => r.data.sku))) {
    for (const p of await tx.select({ sku: products.sku }).from(products).where(inArray(products.sku, part))) existing.add(p.sku);
  }
  for (const r of rows) if (existing.has(r.data.sku)) errors.push({ line: r.line, column: 'sku', message: `SKU ${r.data.sku} already exists` });
  if (errors.length > 0) throw new CsvImportError(errors);
  for (const part of chunks(rows)) await insertProducts(tx, part.map((r) => r.data));
  return rows.length;
}

async function importCustomers(tx: Tx, records: CsvRecord[], names: string[], errors: CsvRowError[]): Promise<number> {
  const regionIds = new Map((await tx.select({ id: regions.id, code: regions.code }).from(regions)).map((r) => [r.code, r.id]));
  const region: Lookup = (code) => regionIds.get(code) ?? { error: `no region has code ${code}` };
  const rows = validateRows(customerInput, FIELDS.customers, records, names, { region_code: region }, errors);
  duplicatesInFile(rows, (c) => c.code, 'code', (c) => `customer ${c.code}`, errors);
  const existing = new Set<string>();
  for (const part of chunks(rows.map((r) => r.data.code))) {
    for (const c of await tx.select({ code: customers.code }).from(customers).where(inArray(customers.code, part))) existing.add(c.code);
  }
  for (const r of rows) if (existing.has(r.data.code)) errors.push({ line: r.line, column: 'code', message: `customer ${r.data.code} already exists` });
  if (errors.length > 0) throw new CsvImportError(errors);
  for (const part of chunks(rows)) await insertCustomers(tx, part.map((r) => r.data));
  return rows.length;
}

/**
 * Opening balances post done moves W.adjustment -> W.stock (document type
 * 'opening_balance', one document number per import). They set up stock that is
 * not in the system yet: a product that already has stock on hand at the
 * warehouse is refused (a second import of the same file would double it; count it instead).
 */
async function importOpeningBalances(tx: Tx, actor: Actor, records: CsvRecord[], names: string[], errors: CsvRowError[]): Promise<number> {
  const whs = await tx.select({ id: warehouses.id, code: warehouses.code }).from(warehouses);
  const warehouseIds = new Map(whs.map((w) => [w.code, w.id]));
  const skuIndex = names.indexOf('sku');
  const skus = [...new Set(records.map((r) => r.fields[skuIndex]?.trim() ?? '').filter(Boolean))];
  const productIds = new Map<string, number>();
  for (const part of chunks(skus)) {
    for (const p of await tx.select({ id: products.id, sku: products.sku }).from(products).where(inArray(products.sku, part))) productIds.set(p.sku, p.id);
  }
  const rows = validateRows(
    openingBalanceRow,
    FIELDS.opening_balances,
    records,
    names,
    {
      warehouse_code: (code) => warehouseIds.get(code) ?? { error: `no warehouse has code ${code}` },
      sku: (sku) => productIds.get(sku) ?? { error: `no product has SKU ${sku}` }
    },
    errors
  );
  const codeOf = new Map(whs.map((w) => [w.id, w.code]));
  const skuOf = new Map([...productIds].map(([sku, id]) => [id, sku]));
  duplicatesInFile(rows, (b) => `${b.warehouseId}:${b.productId}`, 'sku', (b) => `SKU ${skuOf.get(b.productId)} at warehouse ${codeOf.get(b.warehouseId)}`, errors);

  const stockLoc = new Map(
    (await tx.select({ id: locations.id, warehouseId: locations.warehouseId, kind: locations.kind }).from(locations))
      .filter((l) => l.kind === 'stock' || l.kind === 'adjustment')
      .map((l) => [`${l.warehouseId}:${l.kind}`, l.id])
  );
  const onHand = new Map<string, number>();
  for (const part of chunks([...new Set(rows.map((r) => r.data.productId))])) {
    const held = await tx
      .select({ productId: stockBalances.productId, locationId: stockBalances.locationId, onHand: stockBalances.onHand })
      .from(stockBalances)
      .where(and(inArray(stockBalances.productId, part), ne(stockBalances.onHand, 0)));
    for (const b of held) onHand.set(`${b.locationId}:${b.productId}`, b.onHand);
  }
  for (const r of rows) {
    const held = onHand.get(`${stockLoc.get(`${r.data.warehouseId}:stock`)}:${r.data.productId}`);
    if (held !== undefined) {
      errors.push({
        line: r.line,
        column: 'sku',
        message: `SKU ${skuOf.get(r.data.productId)} already has ${held} on hand at warehouse ${codeOf.get(r.data.warehouseId)}: opening balances only set up new stock (count it instead)`
      });
    }
  }
  if (errors.length > 0) throw new CsvImportError(errors);

  for (const w of new Set(rows.map((r) => r.data.warehouseId))) assertWarehouseScope(actor, w);
  const documentId = await newDocumentId(tx);
  const moves = rows.map((r) => ({
    productId: r.data.productId,
    qty: r.data.qty,
    fromLocationId: stockLoc.get(`${r.data.warehouseId}:adjustment`)!,
    toLocationId: stockLoc.get(`${r.data.warehouseId}:stock`)!,
    documentType: 'opening_balance' as const,
    documentId
  }));
  for (const part of chunks(moves)) await postDoneMoves(tx, actor, part);
  // Backorders at these warehouses get the new stock (only products that have any, to keep big imports fast).
  for (const w of new Set(rows.map((r) => r.data.warehouseId))) {
    const ids = [...new Set(rows.filter((r) => r.data.warehouseId === w).map((r) => r.data.productId))];
    const waiting = await tx.execute<{ product_id: number }>(sql`
      SELECT DISTINCT l.product_id FROM sales_order_lines l JOIN sales_orders o ON o.id = l.order_id
      WHERE o.warehouse_id = ${w} AND o.state = 'confirmed' AND l.backordered_qty > l.reserved_qty
        AND l.product_id = ANY(${sql.raw(`ARRAY[${ids.join(',')}]::int[]`)})`);
    if (waiting.rows.length > 0) await allocate(tx, w, waiting.rows.map((r) => Number(r.product_id)));
  }
  return rows.length;
}

