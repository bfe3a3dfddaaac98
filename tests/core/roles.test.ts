import { sql } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import { appRouter } from '../../app/lib/server/api/root';
import { ROLES, type Role } from '../../schemas/api/roles';
import { coreFixture, type CoreFixture } from '../support/core';

interface ProcedureDef {
  type: string;
  meta?: { roles: readonly Role[] | 'public' };
}
const procedures = (appRouter._def as unknown as { procedures: Record<string, { _def: ProcedureDef }> }).procedures;
const paths = Object.keys(procedures).sort();

let f: CoreFixture;
beforeAll(async () => {
  f = await coreFixture();
  await f.stockUp(f.locA, f.products[0]!.id, 10);
});

/** Row counts of every table plus the balance totals: any write shows up here. */
async function fingerprint(): Promise<string> {
  const tables = await f.db.execute<{ tablename: string }>(sql`SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1`);
  const counts: string[] = [];
  for (const { tablename } of tables.rows) {
    const r = await f.db.execute<{ n: string; h: string | null }>(sql.raw(`SELECT count(*) AS n, md5(string_agg(t::text, '|' ORDER BY t::text)) AS h FROM "${tablename}" t`));
    counts.push(`${tablename}:${r.rows[0]!.n}:${r.rows[0]!.h}`);
  }
  return counts.join('\n');
}

function call(role: Role | null, path: string, input: unknown) {
  const caller = role ? f.as(role) : null;
  const anon = { db: f.db, user: null, token: null, isDev: false };
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  let target: any = caller ?? (appRouter.createCaller as unknown as (ctx: unknown) => unknown)(anon);
  for (const part of path.split('.')) target = target[part];
  return (target as (i: unknown) => Promise<unknown>)(input);
}

describe('role matrix', () => {
  it('every procedure declares who may call it', () => {
    expect(paths.length).toBeGreaterThan(30);
    for (const p of paths) {
      const roles = procedures[p]!._def.meta?.roles;
      expect(roles, p).toBeDefined();
      if (roles !== 'public') {
        expect(roles!.length, p).toBeGreaterThan(0);
        for (const r of roles!) expect(ROLES, p).toContain(r);
      }
    }
    expect(paths.filter((p) => procedures[p]!._def.meta?.roles === 'public')).toEqual(['auth.login']);
  });

  it('refuses every role a procedure does not name, and nothing changes', async () => {
    const before = await fingerprint();
    let refusals = 0;
    for (const p of paths) {
      const allowed = procedures[p]!._def.meta!.roles;
      if (allowed === 'public') continue;
      for (const role of ROLES.filter((r) => !allowed.includes(r))) {
        const err = await call(role, p, {}).then(() => null, (e) => e);
        expect(err?.code, `${role} calling ${p}`).toBe('FORBIDDEN');
        refusals++;
      }
      const anon = await call(null, p, {}).then(() => null, (e) => e);
      expect(anon?.code, `anonymous calling ${p}`).toBe('UNAUTHORIZED');
    }
    expect(refusals).toBeGreaterThan(50);
    expect(await fingerprint()).toBe(before);
  });

  it('lets each named role past the role check (bad input is a BAD_REQUEST, not a refusal)', async () => {
    for (const p of paths) {
      const allowed = procedures[p]!._def.meta!.roles;
      if (allowed === 'public' || p === 'auth.logout') continue;
      for (const role of allowed) {
        const err = await call(role, p, { __invalid: true, id: -1 }).then(() => null, (e) => e);
        expect(['FORBIDDEN', 'UNAUTHORIZED'], `${role} calling ${p}: ${err?.message}`).not.toContain(err?.code);
      }
    }
  });
});
