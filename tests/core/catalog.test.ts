import { fetchRequestHandler } from '@trpc/server/adapters/fetch';
import { beforeAll, describe, expect, it } from 'vitest';
import { appRouter } from '../../app/lib/server/api/root';
import { tables } from '../../app/lib/server/core/db';
import type { Role } from '../../schemas/api/roles';
import { ROLES } from '../../schemas/api/roles';
import { coreFixture, type CoreFixture } from '../support/core';

let f: CoreFixture;
beforeAll(async () => {
  f = await coreFixture();
});

/** Roles that may call fn (the others get FORBIDDEN). */
async function allowedRoles(fn: (role: Role, i: number) => Promise<unknown>): Promise<Role[]> {
  const allowed: Role[] = [];
  for (const [i, role] of ROLES.entries()) {
    const err = await fn(role, i).then(
      () => undefined,
      (e: { code?: string }) => e
    );
    if (!err) allowed.push(role);
    else if (err.code !== 'FORBIDDEN') throw err;
  }
  return allowed;
}

describe('catalog router', () => {
  it('lets every role read master data', async () => {
    for (const role of ROLES) {
      const c = f.as(role).catalog;
      expect((await c.regions.list()).map((r) => r.code)).toEqual(['N']);
      expect((await c.warehouses.list()).map((w) => w.code)).toEqual(['A', 'B']);
      expect((await c.products.list({})).total).toBeGreaterThanOrEqual(3);
      expect((await c.suppliers.list()).map((s) => s.code)).toEqual(['SUP']);
      expect((await c.supplierProducts.list({ supplierId: f.supplier.id })).length).toBe(3);
      expect((await c.customers.list({})).items.map((x) => x.code)).toContain('C1');
      expect(await c.transferLanes.list()).toEqual([{ fromWarehouseId: f.whA.id, toWarehouseId: f.whB.id, leadTimeDays: 2 }]);
      await c.customerPrices.list({});
      await c.reorderRules.list({});
    }
  });

  it('lets each write through only for the roles that own the data', async () => {
    const [p1, p2] = [f.products[0]!.id, f.products[1]!.id];
    expect(await allowedRoles((r, i) => f.as(r).catalog.regions.create({ code: `R${i}`, name: 'Region' }))).toEqual(['admin']);
    expect(
      await allowedRoles((r, i) => f.as(r).catalog.warehouses.create({ code: `W${i}`, name: 'Depot', kind: 'depot', regionId: f.region.id }))
    ).toEqual(['admin']);
    expect(
      await allowedRoles((r, i) => f.as(r).catalog.products.create({ sku: `ROLE-${i}`, name: 'p', costMinor: 1, priceMinor: 2, category: 'c' }))
    ).toEqual(['admin', 'planner']);
    expect(await allowedRoles((r, i) => f.as(r).catalog.suppliers.create({ code: `S${i}`, name: 'Supplier' }))).toEqual(['admin', 'planner', 'buyer']);
    expect(
      await allowedRoles((r) => f.as(r).catalog.supplierProducts.upsert({ supplierId: f.supplier.id, productId: p1, costMinor: 400, leadTimeDays: 3 }))
    ).toEqual(['admin', 'planner', 'buyer']);
    expect(
      await allowedRoles((r, i) => f.as(r).catalog.customers.create({ code: `CU${i}`, name: 'Customer', regionId: f.region.id, creditLimitMinor: 0 }))
    ).toEqual(['admin', 'sales', 'finance']);
    expect(await allowedRoles((r) => f.as(r).catalog.customerPrices.set({ customerId: f.customer.id, productId: p1, priceMinor: 900 }))).toEqual([
      'admin',
      'sales'
    ]);
    expect(
      await allowedRoles((r) =>
        f.as(r).catalog.reorderRules.upsert({ productId: p2, warehouseId: f.whB.id, minQty: 5, maxQty: 20, leadTimeDays: 2, sourceWarehouseId: f.whA.id })
      )
    ).toEqual(['admin', 'planner']);
    expect(await allowedRoles((r) => f.as(r).catalog.transferLanes.upsert({ fromWarehouseId: f.whB.id, toWarehouseId: f.whA.id, leadTimeDays: 3 }))).toEqual([
      'admin',
      'planner'
    ]);
    expect(await allowedRoles((r, i) => f.as(r).catalog.import({ kind: 'products', text: `sku,name,category,cost_minor,price_minor\nIMP-${i},n,c,1,2\n` }))).toEqual([
      'admin'
    ]);

    // what the writes left behind is what the lists show
    expect(await f.as('viewer').catalog.customerPrices.list({ customerId: f.customer.id })).toEqual([{ customerId: f.customer.id, productId: p1, priceMinor: 900 }]);
    expect(await f.as('viewer').catalog.reorderRules.list({ warehouseId: f.whB.id })).toEqual([
      expect.objectContaining({ productId: p2, minQty: 5, maxQty: 20, sourceWarehouseId: f.whA.id, sourceSupplierId: null })
    ]);
    expect((await f.as('viewer').catalog.supplierProducts.list({ productId: p1 }))[0]).toMatchObject({ costMinor: 400, leadTimeDays: 3 });
    expect((await f.as('viewer').catalog.transferLanes.list()).length).toBe(2);
  });

  it('refuses invalid master data with field errors', async () => {
    await expect(
      f.as('admin').catalog.reorderRules.upsert({ productId: f.products[0]!.id, warehouseId: f.whA.id, minQty: 10, maxQty: 5, leadTimeDays: 1, sourceSupplierId: f.supplier.id })
    ).rejects.toMatchObject({ code: 'BAD_REQUEST' });
    await expect(f.as('admin').catalog.products.create({ sku: 'SKU-1', name: 'dup', costMinor: 1, priceMinor: 1, category: 'c' })).rejects.toMatchObject({
      code: 'CONFLICT'
    });
  });

  it('searches products by SKU or name, case-insensitively and literally, one page at a time', async () => {
    const admin = f.as('admin').catalog;
    for (const [sku, name] of [
      ['FIND-1', 'Hammer 100% steel'],
      ['FIND-2', 'Claw hammer'],
      ['FIND-3', 'Screwdriver'],
      ['OTHER', 'find me by name']
    ] as const) {
      await admin.products.create({ sku, name, costMinor: 1, priceMinor: 2, category: 'tools' });
    }
    const search = (s: string, page: { limit?: number; offset?: number } = {}) => f.as('viewer').catalog.products.list({ search: s, ...page });
    expect((await search('find')).items.map((p) => p.sku)).toEqual(['FIND-1', 'FIND-2', 'FIND-3', 'OTHER']);
    expect((await search('HAMMER')).items.map((p) => p.sku)).toEqual(['FIND-1', 'FIND-2']);
    expect((await search('100%')).items.map((p) => p.sku)).toEqual(['FIND-1']);
    expect((await search('%')).items.map((p) => p.sku)).toEqual(['FIND-1']); // % is literal, not "everything"
    const page = await search('find', { limit: 2, offset: 2 });
    expect(page).toMatchObject({ total: 4, items: [{ sku: 'FIND-3' }, { sku: 'OTHER' }] });
    await expect(f.as('viewer').catalog.products.list({ limit: 0 })).rejects.toMatchObject({ code: 'BAD_REQUEST' });
  });

  it('answers a refused import over HTTP as BAD_REQUEST carrying every row error, and writes nothing', async () => {
    const before = await f.db.$count(tables.products);
    const text = 'sku,name,category,cost_minor,price_minor\nW-1,ok,c,1,2\nW-2,,c,1,2\nW-3,ok,c,x,2\n';
    const res = await fetchRequestHandler({
      endpoint: '/api/trpc',
      req: new Request('http://local/api/trpc/catalog.import', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ kind: 'products', text })
      }),
      router: appRouter,
      createContext: () => ({ db: f.db, user: f.users.admin, token: null, isDev: false })
    });
    expect(res.status).toBe(400);
    const body = (await res.json()) as { error: { message: string; data: { code: string; fieldErrors: Record<string, string[]> } } };
    expect(body.error.data.code).toBe('BAD_REQUEST');
    expect(body.error.message).toMatch(/nothing was imported: 2 errors on 2 lines/);
    expect(body.error.data.fieldErrors).toEqual({ 'line 3, name': ['is required'], 'line 4, cost_minor': ['"x" is not a number'] });
    expect(await f.db.$count(tables.products)).toBe(before);
  });
});
