import { z } from 'zod';

/** Inputs of the master-data API; the CSV import validates its rows with the same schemas. */
const code = z.string().trim().min(1, 'is required').max(40, 'is longer than 40 characters');
const name = z.string().trim().min(1, 'is required').max(200, 'is longer than 200 characters');
const money = z.number().int('must be whole minor units (cents)').min(0, 'cannot be negative');
const id = z.number().int().positive();

export const regionInput = z.object({ code, name });

export const warehouseInput = z.object({
  code,
  name,
  kind: z.enum(['central_dc', 'branch', 'depot']),
  regionId: id,
  timeZone: z
    .string()
    .trim()
    .refine((tz) => {
      try {
        new Intl.DateTimeFormat('en', { timeZone: tz });
        return true;
      } catch {
        return false;
      }
    }, 'is not an IANA time zone (e.g. Europe/Berlin)')
    .default('UTC')
});

export const packSize = z.object({ name: z.string().trim().min(1), qty: z.number().int().min(2, 'a pack holds at least 2 base units') });

export const productInput = z.object({
  sku: z.string().trim().min(1, 'is required').max(64).regex(/^[A-Za-z0-9][A-Za-z0-9._\-/]*$/, 'may hold letters, digits and . _ - / only'),
  name,
  baseUnit: z.string().trim().min(1).max(20).default('each'),
  packSizes: z.array(packSize).default([]),
  costMinor: money,
  priceMinor: money,
  category: z.string().trim().min(1, 'is required').max(80),
  abcClass: z.enum(['A', 'B', 'C']).default('C')
});

export const supplierInput = z.object({ code, name });

export const supplierProductInput = z.object({
  supplierId: id,
  productId: id,
  costMinor: money,
  leadTimeDays: z.number().int().min(0).max(365),
  moq: z.number().int().min(1).default(1),
  packMultiple: z.number().int().min(1).default(1)
});

export const customerInput = z.object({
  code,
  name,
  regionId: id,
  tier: z.enum(['key', 'standard', 'small']).default('standard'),
  creditLimitMinor: money,
  paymentTermsDays: z.number().int().min(0).max(365).default(30),
  onHold: z.boolean().default(false)
});

export const customerPriceInput = z.object({ customerId: id, productId: id, priceMinor: money });

export const reorderRuleInput = z
  .object({
    productId: id,
    warehouseId: id,
    minQty: z.number().int().min(0),
    maxQty: z.number().int().min(0),
    safetyStock: z.number().int().min(0).default(0),
    multiple: z.number().int().min(1).default(1),
    leadTimeDays: z.number().int().min(0).max(365),
    sourceSupplierId: id.nullable().default(null),
    sourceWarehouseId: id.nullable().default(null)
  })
  .refine((r) => r.maxQty >= r.minQty, { message: 'must be at least minQty', path: ['maxQty'] })
  .refine((r) => (r.sourceSupplierId === null) !== (r.sourceWarehouseId === null), {
    message: 'name exactly one source: a supplier or a warehouse',
    path: ['sourceSupplierId']
  })
  .refine((r) => r.sourceWarehouseId !== r.warehouseId, { message: 'cannot be the rule’s own warehouse', path: ['sourceWarehouseId'] });

export const transferLaneInput = z.object({ fromWarehouseId: id, toWarehouseId: id, leadTimeDays: z.number().int().min(0).max(365) });

export type RegionInput = z.infer<typeof regionInput>;
export type WarehouseInput = z.input<typeof warehouseInput>;
export type ProductInput = z.input<typeof productInput>;
export type SupplierInput = z.infer<typeof supplierInput>;
export type SupplierProductInput = z.input<typeof supplierProductInput>;
export type CustomerInput = z.input<typeof customerInput>;
export type CustomerPriceInput = z.infer<typeof customerPriceInput>;
export type ReorderRuleInput = z.input<typeof reorderRuleInput>;
export type TransferLaneInput = z.infer<typeof transferLaneInput>;

/** List filters of the catalog API (paged where a list can grow large). */
const page = { limit: z.number().int().min(1).max(500).default(50), offset: z.number().int().min(0).default(0) };
const search = z.string().trim().max(100).optional();

export const productListInput = z.object({ search, activeOnly: z.boolean().default(false), ...page });
export const customerListInput = z.object({ search, regionId: id.optional(), ...page });
export const supplierProductListInput = z.object({ supplierId: id.optional(), productId: id.optional() });
export const customerPriceListInput = z.object({ customerId: id.optional(), productId: id.optional() });
export const reorderRuleListInput = z.object({ warehouseId: id.optional(), productId: id.optional() });

export type ProductListInput = z.input<typeof productListInput>;
export type CustomerListInput = z.input<typeof customerListInput>;
export type SupplierProductListInput = z.infer<typeof supplierProductListInput>;
export type CustomerPriceListInput = z.infer<typeof customerPriceListInput>;
export type ReorderRuleListInput = z.infer<typeof reorderRuleListInput>;
