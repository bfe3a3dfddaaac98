import { z } from 'zod';

/** Limits of one import: the file is parsed and validated whole, in memory. */
export const CSV_MAX_BYTES = 5 * 1024 * 1024;
export const CSV_MAX_ROWS = 50_000;

export const CSV_IMPORT_KINDS = ['products', 'customers', 'opening_balances'] as const;

export const csvImportInput = z.object({
  kind: z.enum(CSV_IMPORT_KINDS),
  // Characters never outnumber UTF-8 bytes, so this bounds the text before the service checks its bytes.
  text: z.string().max(CSV_MAX_BYTES, 'the file is larger than 5 MB')
});

/** An opening balance row; products and customers rows use catalog.ts's productInput / customerInput. */
export const openingBalanceRow = z.object({
  warehouseId: z.number().int().positive(),
  productId: z.number().int().positive(),
  qty: z.number().int('must be whole base units').positive('must be at least 1').max(1_000_000_000)
});

/** One problem in a file: line 1 is the header; column is null when the whole row is at fault. */
export const csvRowError = z.object({ line: z.number(), column: z.string().nullable(), message: z.string() });

export const csvImportResult = z.object({ imported: z.number() });

export type CsvImportKind = (typeof CSV_IMPORT_KINDS)[number];
export type CsvImportInput = z.infer<typeof csvImportInput>;
export type CsvRowError = z.infer<typeof csvRowError>;
