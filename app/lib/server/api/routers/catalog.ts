import {
  customerInput,
  customerListInput,
  customerPriceInput,
  customerPriceListInput,
  productInput,
  productListInput,
  regionInput,
  reorderRuleInput,
  reorderRuleListInput,
  supplierInput,
  supplierProductInput,
  supplierProductListInput,
  transferLaneInput,
  warehouseInput
} from '../../../../../schemas/api/catalog';
import { csvImportInput } from '../../../../../schemas/api/csv';
import * as catalog from '../../core/catalog';
import { importCsv } from '../../core/csv-import';
import { ALL_ROLES, allow, router } from '../trpc';

/**
 * Master data. Every role reads it; writes follow who owns the data:
 *
 * | data                                   | write roles            |
 * |----------------------------------------|------------------------|
 * | regions, warehouses                    | admin                  |
 * | products                               | admin, planner         |
 * | suppliers, supplier products           | admin, planner, buyer  |
 * | customers (credit limit, terms, hold)  | admin, sales, finance  |
 * | customer prices (contract prices)      | admin, sales           |
 * | reorder rules, transfer lanes          | admin, planner         |
 * | import (CSV: products, customers, opening balances) | admin     |
 */
const readers = allow(...ALL_ROLES);

export const catalogRouter = router({
  regions: router({
    list: readers.query(({ ctx }) => catalog.listRegions(ctx.db)),
    create: allow('admin')
      .input(regionInput)
      .mutation(({ ctx, input }) => catalog.createRegion(ctx.db, ctx.actor, input))
  }),
  warehouses: router({
    list: readers.query(({ ctx }) => catalog.listWarehouses(ctx.db)),
    create: allow('admin')
      .input(warehouseInput)
      .mutation(({ ctx, input }) => catalog.createWarehouse(ctx.db, ctx.actor, input))
  }),
  products: router({
    list: readers.input(productListInput).query(({ ctx, input }) => catalog.listProducts(ctx.db, input)),
    create: allow('admin', 'planner')
      .input(productInput)
      .mutation(({ ctx, input }) => catalog.createProduct(ctx.db, ctx.actor, input))
  }),
  suppliers: router({
    list: readers.query(({ ctx }) => catalog.listSuppliers(ctx.db)),
    create: allow('admin', 'planner', 'buyer')
      .input(supplierInput)
      .mutation(({ ctx, input }) => catalog.createSupplier(ctx.db, ctx.actor, input))
  }),
  supplierProducts: router({
    list: readers.input(supplierProductListInput).query(({ ctx, input }) => catalog.listSupplierProducts(ctx.db, input)),
    upsert: allow('admin', 'planner', 'buyer')
      .input(supplierProductInput)
      .mutation(({ ctx, input }) => catalog.upsertSupplierProduct(ctx.db, ctx.actor, input))
  }),
  customers: router({
    list: readers.input(customerListInput).query(({ ctx, input }) => catalog.listCustomers(ctx.db, input)),
    create: allow('admin', 'sales', 'finance')
      .input(customerInput)
      .mutation(({ ctx, input }) => catalog.createCustomer(ctx.db, ctx.actor, input))
  }),
  customerPrices: router({
    list: readers.input(customerPriceListInput).query(({ ctx, input }) => catalog.listCustomerPrices(ctx.db, input)),
    set: allow('admin', 'sales')
      .input(customerPriceInput)
      .mutation(({ ctx, input }) => catalog.setCustomerPrice(ctx.db, ctx.actor, input))
  }),
  reorderRules: router({
    list: readers.input(reorderRuleListInput).query(({ ctx, input }) => catalog.listReorderRules(ctx.db, input)),
    upsert: allow('admin', 'planner')
      .input(reorderRuleInput)
      .mutation(({ ctx, input }) => catalog.upsertReorderRule(ctx.db, ctx.actor, input))
  }),
  transferLanes: router({
    list: readers.query(({ ctx }) => catalog.listTransferLanes(ctx.db)),
    upsert: allow('admin', 'planner')
      .input(transferLaneInput)
      .mutation(({ ctx, input }) => catalog.upsertTransferLane(ctx.db, ctx.actor, input))
  }),
  /** All rows or none; a refused file is a BAD_REQUEST whose data.fieldErrors are keyed "line 3, price_minor". */
  import: allow('admin')
    .input(csvImportInput)
    .mutation(({ ctx, input }) => importCsv(ctx.db, ctx.actor, input))
});
