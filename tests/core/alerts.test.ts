import { and, asc, eq } from 'drizzle-orm';
import { ZodError } from 'zod';
import { beforeAll, describe, expect, it } from 'vitest';
import { SYSTEM_ACTOR, type Actor } from '../../app/lib/server/core/actor';
import { acknowledgeAlert, getAlert, listAlerts, resolveAlert, syncAlerts, unresolvedSubjects } from '../../app/lib/server/core/alerts';
import { tables } from '../../app/lib/server/core/db';
import { DomainError } from '../../app/lib/server/core/errors';
import type { AlertFinding, AlertKind } from '../../schemas/api/alerts';
import { coreFixture, type CoreFixture } from '../support/core';

const { alerts } = tables;
const sys = SYSTEM_ACTOR;

let f: CoreFixture;
let planner: Actor;
let buyer: Actor;
let lead: Actor; // warehouse user, scoped to warehouse A
beforeAll(async () => {
  f = await coreFixture();
  planner = f.actorFor('planner');
  buyer = f.actorFor('buyer');
  lead = f.actorFor('warehouse');
});

/** Each test works on subjects of its own, so the shared database does not couple them. */
let n = 0;
const subject = (what = 'product') => `${what}:${++n}/warehouse:t`;
const finding = (s: string, extra: Partial<AlertFinding> = {}): AlertFinding => ({
  subject: s,
  severity: 'warning',
  message: `${s} runs out in 3 days, before the next receipt`,
  ...extra
});

const rowsOf = (kind: AlertKind, s: string) =>
  f.db.select().from(alerts).where(and(eq(alerts.kind, kind), eq(alerts.subject, s))).orderBy(asc(alerts.id));
const everything = () => f.db.select().from(alerts).orderBy(asc(alerts.id));
const failure = (p: Promise<unknown>) => p.then(() => null, (e: unknown) => e as { code?: string; name?: string });

describe('syncAlerts', () => {
  it('raises once; a second sync of the same finding updates the alert instead of adding one', async () => {
    const s = subject();
    expect(await syncAlerts(f.db, sys, 'stockout_risk', [finding(s, { details: { daysOfCover: 3 }, warehouseId: f.whA.id, productId: f.products[0]!.id })], { subjects: [s] })).toEqual({
      raised: 1,
      updated: 0,
      resolved: 0
    });
    const [first] = await rowsOf('stockout_risk', s);
    expect(first).toMatchObject({ state: 'open', severity: 'warning', details: { daysOfCover: 3 }, warehouseId: f.whA.id, productId: f.products[0]!.id, resolvedAt: null });

    const again = finding(s, { severity: 'critical', message: `${s} runs out tomorrow`, details: { daysOfCover: 1 }, warehouseId: f.whA.id });
    expect(await syncAlerts(f.db, sys, 'stockout_risk', [again], { subjects: [s] })).toEqual({ raised: 0, updated: 1, resolved: 0 });
    const rows = await rowsOf('stockout_risk', s);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ id: first!.id, state: 'open', severity: 'critical', message: `${s} runs out tomorrow`, details: { daysOfCover: 1 } });
    expect(rows[0]!.raisedAt).toEqual(first!.raisedAt);
    expect(rows[0]!.lastSeenAt.getTime()).toBeGreaterThan(first!.lastSeenAt.getTime());

    // The same subject under another kind is another alert.
    expect(await syncAlerts(f.db, sys, 'backorder_aging', [finding(s)], { subjects: [s] })).toMatchObject({ raised: 1 });
  });

  it('resolves automatically what disappeared within the scope and leaves other subjects alone', async () => {
    const [s1, s2, s3] = [subject(), subject(), subject()];
    expect(await syncAlerts(f.db, sys, 'transfer_late', [finding(s1), finding(s2), finding(s3)], { subjects: [s1, s2, s3] })).toEqual({ raised: 3, updated: 0, resolved: 0 });

    // A run that looked only at s1 and s2 and still sees s2, unchanged: nothing to rewrite.
    const seenBefore = (await rowsOf('transfer_late', s2))[0]!.lastSeenAt;
    expect(await syncAlerts(f.db, sys, 'transfer_late', [finding(s2)], { subjects: [s1, s2] })).toEqual({ raised: 0, updated: 0, resolved: 1 });
    expect((await rowsOf('transfer_late', s2))[0]!.lastSeenAt).toEqual(seenBefore);
    const [r1] = await rowsOf('transfer_late', s1);
    expect(r1).toMatchObject({ state: 'resolved', resolvedBy: null, resolution: 'condition cleared' });
    expect(r1!.resolvedAt).toBeInstanceOf(Date);
    expect((await rowsOf('transfer_late', s2))[0]!.state).toBe('open');
    expect((await rowsOf('transfer_late', s3))[0]!.state).toBe('open'); // outside the scope

    // An empty scope resolves nothing; a finding outside the scope is still raised.
    const s4 = subject();
    expect(await syncAlerts(f.db, sys, 'transfer_late', [finding(s4)], { subjects: [] })).toEqual({ raised: 1, updated: 0, resolved: 0 });
    expect(await syncAlerts(f.db, sys, 'transfer_late', [], { subjects: [s2, s3, s4] })).toEqual({ raised: 0, updated: 0, resolved: 3 });
  });

  it("with scope 'all' resolves every unresolved alert of the kind that is not found, and no other kind", async () => {
    const [x, y, z] = [subject('balance'), subject('balance'), subject('balance')];
    await syncAlerts(f.db, sys, 'ledger_drift', [finding(x), finding(y), finding(z)], 'all');
    const other = subject('balance');
    await syncAlerts(f.db, sys, 'supplier_late', [finding(other)], 'all');

    expect(await syncAlerts(f.db, sys, 'ledger_drift', [finding(y, { severity: 'critical' })], 'all')).toEqual({ raised: 0, updated: 1, resolved: 2 });
    expect((await rowsOf('ledger_drift', y))[0]!.severity).toBe('critical');
    expect((await rowsOf('ledger_drift', x))[0]!.state).toBe('resolved');
    expect((await rowsOf('ledger_drift', y))[0]!.state).toBe('open');
    expect((await rowsOf('ledger_drift', z))[0]!.state).toBe('resolved');
    expect((await rowsOf('supplier_late', other))[0]!.state).toBe('open');

    expect(await syncAlerts(f.db, sys, 'ledger_drift', [], 'all')).toEqual({ raised: 0, updated: 0, resolved: 1 });
    expect(await f.db.select().from(alerts).where(and(eq(alerts.kind, 'ledger_drift'), eq(alerts.state, 'open')))).toEqual([]);
  });

  it('an acknowledged alert stays acknowledged when the detector sees it again, and resolves when it clears', async () => {
    const s = subject();
    await syncAlerts(f.db, sys, 'stockout_risk', [finding(s)], { subjects: [s] });
    const [row] = await rowsOf('stockout_risk', s);
    const acked = await acknowledgeAlert(f.db, planner, { alertId: row!.id });

    expect(await syncAlerts(f.db, sys, 'stockout_risk', [finding(s, { severity: 'critical' })], { subjects: [s] })).toEqual({ raised: 0, updated: 1, resolved: 0 });
    const after = await getAlert(f.db, planner, { alertId: row!.id });
    expect(after).toMatchObject({ state: 'acknowledged', severity: 'critical', acknowledgedBy: f.users.planner.id, acknowledgedAt: acked.acknowledgedAt });

    expect(await syncAlerts(f.db, sys, 'stockout_risk', [], { subjects: [s] })).toEqual({ raised: 0, updated: 0, resolved: 1 });
    expect(await getAlert(f.db, planner, { alertId: row!.id })).toMatchObject({ state: 'resolved', resolvedBy: null, acknowledgedBy: f.users.planner.id });
  });

  it('raises a new alert when the condition returns after it was resolved', async () => {
    const s = subject();
    await syncAlerts(f.db, sys, 'demand_spike', [finding(s)], { subjects: [s] });
    const [old] = await rowsOf('demand_spike', s);
    await resolveAlert(f.db, buyer, { alertId: old!.id, resolution: 'promotion ended' });

    expect(await syncAlerts(f.db, sys, 'demand_spike', [finding(s)], { subjects: [s] })).toEqual({ raised: 1, updated: 0, resolved: 0 });
    const rows = await rowsOf('demand_spike', s);
    expect(rows.map((r) => [r.id === old!.id, r.state])).toEqual([
      [true, 'resolved'],
      [false, 'open']
    ]);
    expect(rows[0]).toMatchObject({ resolvedBy: f.users.buyer.id, resolution: 'promotion ended' });
  });

  it('never duplicates under concurrent runs of the same finding', async () => {
    for (let round = 0; round < 6; round++) {
      const s = subject();
      const results = await Promise.all(
        Array.from({ length: 4 }, (_, i) => syncAlerts(f.db, sys, 'ingest_lag', [finding(s, { message: `run ${i}` })], { subjects: [s] }))
      );
      expect(results.reduce((t, r) => t + r.raised, 0)).toBe(1);
      expect(results.reduce((t, r) => t + r.updated, 0)).toBe(3);
      const rows = await rowsOf('ingest_lag', s);
      expect(rows.filter((r) => r.state !== 'resolved')).toHaveLength(1);
      expect(rows).toHaveLength(1);
    }
  });

  it('survives concurrent runs that raise and resolve crossing subjects', async () => {
    const [a, b] = [subject(), subject()];
    for (let round = 0; round < 4; round++) {
      await Promise.all([
        syncAlerts(f.db, sys, 'order_quantity_outlier', [finding(a)], { subjects: [a, b] }),
        syncAlerts(f.db, sys, 'order_quantity_outlier', [finding(b)], { subjects: [a, b] })
      ]);
      for (const s of [a, b]) expect((await rowsOf('order_quantity_outlier', s)).filter((r) => r.state !== 'resolved').length).toBeLessThanOrEqual(1);
    }
  });

  it('handles a run larger than one statement can bind, and lists the unresolved subjects of a kind', async () => {
    const many = Array.from({ length: 2500 }, () => finding(subject('bulk')));
    expect(await syncAlerts(f.db, sys, 'demand_drop', many, 'all')).toMatchObject({ raised: 2500, updated: 0 });
    const open = await unresolvedSubjects(f.db, 'demand_drop');
    expect(open).toHaveLength(2500);
    expect(new Set(open)).toEqual(new Set(many.map((m) => m.subject)));
    const scope = { subjects: [...open, ...Array.from({ length: 70_000 }, (_, i) => `absent:${i}`)] };
    const changed = many.slice(0, 100).map((m) => ({ ...m, message: `${m.message}, again` }));
    expect(await syncAlerts(f.db, sys, 'demand_drop', changed, scope)).toEqual({ raised: 0, updated: 100, resolved: 2400 });
    expect(await syncAlerts(f.db, sys, 'demand_drop', [], 'all')).toEqual({ raised: 0, updated: 0, resolved: 100 });
    expect(await unresolvedSubjects(f.db, 'demand_drop')).toEqual([]);
  });

  it('refuses bad input and writes nothing', async () => {
    const s = subject();
    await syncAlerts(f.db, sys, 'demand_drop', [finding(s)], { subjects: [s] });
    const before = await everything();
    const good = finding(subject());
    const cases: [unknown, unknown, string][] = [
      [[good, finding('  ')], { subjects: [s] }, 'ZodError'],
      [[good, { ...finding(subject()), severity: 'dreadful' }], { subjects: [s] }, 'ZodError'],
      [[good, finding(subject(), { message: '' })], { subjects: [s] }, 'ZodError'],
      [[good, finding(good.subject)], { subjects: [s] }, 'ZodError'],
      [[good, finding(subject(), { warehouseId: 999_999 })], { subjects: [s] }, 'DomainError'],
      [[good], { subjects: [''] }, 'ZodError'],
      [[good], 'some', 'ZodError']
    ];
    for (const [findings, scope, name] of cases) {
      const err = await failure(syncAlerts(f.db, sys, 'demand_drop', findings as AlertFinding[], scope as 'all'));
      expect(err?.name, JSON.stringify(findings)).toBe(name);
    }
    const fk = await failure(syncAlerts(f.db, sys, 'demand_drop', [good, finding(subject(), { productId: 999_999 })], { subjects: [s] }));
    expect(fk).toBeInstanceOf(DomainError);
    expect(fk?.code).toBe('BAD_REQUEST');
    expect(await failure(syncAlerts(f.db, sys, 'no_such_kind' as AlertKind, [good], 'all'))).toBeInstanceOf(ZodError);
    expect(await everything()).toEqual(before);
  });
});

describe('acknowledge, resolve, list', () => {
  it('records who acknowledged and resolved, and when; refuses what the state does not allow', async () => {
    const s = subject();
    await syncAlerts(f.db, sys, 'backorder_aging', [finding(s)], { subjects: [s] });
    const [row] = await rowsOf('backorder_aging', s);
    const t0 = Date.now();

    const acked = await acknowledgeAlert(f.db, planner, { alertId: row!.id });
    expect(acked).toMatchObject({ id: row!.id, state: 'acknowledged', acknowledgedBy: f.users.planner.id, resolvedAt: null });
    expect(Math.abs(Date.parse(acked.acknowledgedAt!) - t0)).toBeLessThan(10_000);
    // Acknowledging again changes nothing, not even who.
    expect(await acknowledgeAlert(f.db, buyer, { alertId: row!.id })).toEqual(acked);

    const resolved = await resolveAlert(f.db, buyer, { alertId: row!.id, resolution: 'stock arrived by transfer' });
    expect(resolved).toMatchObject({ state: 'resolved', acknowledgedBy: f.users.planner.id, resolvedBy: f.users.buyer.id, resolution: 'stock arrived by transfer' });
    expect(Date.parse(resolved.resolvedAt!)).toBeGreaterThanOrEqual(Date.parse(acked.acknowledgedAt!));

    const before = await everything();
    expect((await failure(acknowledgeAlert(f.db, planner, { alertId: row!.id })))?.code).toBe('CONFLICT');
    expect((await failure(resolveAlert(f.db, planner, { alertId: row!.id })))?.code).toBe('CONFLICT');
    expect((await failure(acknowledgeAlert(f.db, planner, { alertId: 987_654 })))?.code).toBe('NOT_FOUND');
    expect(await failure(resolveAlert(f.db, planner, { alertId: row!.id, resolution: 'x'.repeat(501) }))).toBeInstanceOf(ZodError);
    expect(await everything()).toEqual(before);

    // An open alert can be resolved directly, without a resolution text.
    const s2 = subject();
    await syncAlerts(f.db, sys, 'backorder_aging', [finding(s2)], { subjects: [s2] });
    const [open] = await rowsOf('backorder_aging', s2);
    expect(await resolveAlert(f.db, planner, { alertId: open!.id })).toMatchObject({ state: 'resolved', acknowledgedBy: null, resolvedBy: f.users.planner.id, resolution: null });
  });

  it('lists newest first with filters and a cursor', async () => {
    const subjects = [subject(), subject(), subject()];
    for (const s of subjects) await syncAlerts(f.db, sys, 'supplier_late', [finding(s)], { subjects: [s] });
    const [mine] = await rowsOf('supplier_late', subjects[1]!);
    await acknowledgeAlert(f.db, planner, { alertId: mine!.id });

    const page = await listAlerts(f.db, planner, { kind: ['supplier_late'], limit: 500 });
    const ids = page.map((a) => a.id);
    expect(ids).toEqual([...ids].sort((x, y) => y - x));
    expect(page.every((a) => a.kind === 'supplier_late')).toBe(true);
    const acked = await listAlerts(f.db, planner, { kind: ['supplier_late'], state: ['acknowledged'] });
    expect(acked.map((a) => a.id)).toEqual([mine!.id]);

    const first = await listAlerts(f.db, planner, { kind: ['supplier_late'], limit: 2 });
    const next = await listAlerts(f.db, planner, { kind: ['supplier_late'], limit: 2, before: first[1]!.id });
    expect([...first, ...next].map((a) => a.id)).toEqual(ids.slice(0, first.length + next.length));
    expect(await failure(listAlerts(f.db, planner, { limit: 0 }))).toBeInstanceOf(ZodError);
    expect(await failure(listAlerts(f.db, planner, { state: ['gone' as 'open'] }))).toBeInstanceOf(ZodError);
  });
});

describe('alerts API roles', () => {
  it('a viewer may read alerts but not acknowledge or resolve them', async () => {
    const s = subject();
    await syncAlerts(f.db, sys, 'demand_spike', [finding(s)], { subjects: [s] });
    const [row] = await rowsOf('demand_spike', s);
    expect((await f.as('viewer').alerts.get({ alertId: row!.id })).state).toBe('open');
    expect((await failure(f.as('viewer').alerts.acknowledge({ alertId: row!.id })))?.code).toBe('FORBIDDEN');
    expect((await failure(f.as('viewer').alerts.resolve({ alertId: row!.id })))?.code).toBe('FORBIDDEN');
    expect((await rowsOf('demand_spike', s))[0]!.state).toBe('open');
    expect((await f.as('executive').alerts.acknowledge({ alertId: row!.id })).acknowledgedBy).toBe(f.users.executive.id);
  });

  it("a warehouse lead of A sees and handles A's alerts, sees network-wide ones, and neither sees nor touches B's", async () => {
    const [sa, sb, sn] = [subject('at-a'), subject('at-b'), subject('network')];
    await syncAlerts(
      f.db,
      sys,
      'stockout_risk',
      [finding(sa, { warehouseId: f.whA.id }), finding(sb, { warehouseId: f.whB.id }), finding(sn)],
      { subjects: [sa, sb, sn] }
    );
    const [a] = await rowsOf('stockout_risk', sa);
    const [b] = await rowsOf('stockout_risk', sb);
    const [net] = await rowsOf('stockout_risk', sn);
    const api = f.as('warehouse');

    const seen = (await api.alerts.list({ kind: ['stockout_risk'], limit: 500 })).map((x) => x.id);
    expect(seen).toContain(a!.id);
    expect(seen).toContain(net!.id);
    expect(seen).not.toContain(b!.id);
    expect((await listAlerts(f.db, planner, { kind: ['stockout_risk'], limit: 500 })).map((x) => x.id)).toContain(b!.id);
    expect((await failure(api.alerts.list({ warehouseId: f.whB.id })))?.code).toBe('FORBIDDEN');
    expect((await failure(api.alerts.get({ alertId: b!.id })))?.code).toBe('FORBIDDEN');

    expect((await failure(api.alerts.acknowledge({ alertId: b!.id })))?.code).toBe('FORBIDDEN');
    expect((await failure(api.alerts.resolve({ alertId: b!.id })))?.code).toBe('FORBIDDEN');
    expect((await failure(resolveAlert(f.db, lead, { alertId: net!.id })))?.code).toBe('FORBIDDEN');
    expect((await rowsOf('stockout_risk', sb))[0]!.state).toBe('open');
    expect((await rowsOf('stockout_risk', sn))[0]!.state).toBe('open');

    expect(await api.alerts.acknowledge({ alertId: a!.id })).toMatchObject({ state: 'acknowledged', acknowledgedBy: f.users.warehouse.id });
    expect(await api.alerts.resolve({ alertId: a!.id, resolution: 'moved stock from overflow' })).toMatchObject({ state: 'resolved', resolvedBy: f.users.warehouse.id });
  });
});
