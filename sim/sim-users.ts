import { sql } from 'drizzle-orm';
import { createUser, actorOf } from '../app/lib/server/auth/sessions';
import { SYSTEM_ACTOR, type Actor } from '../app/lib/server/core/actor';
import type { CoreDb } from '../app/lib/server/core/db';
import type { SessionUser } from '../schemas/api/auth';
import type { Role } from '../schemas/api/roles';

/** The roles the simulator acts in besides the warehouse leads (one user each). */
export const SIM_ROLES = ['admin', 'executive', 'planner', 'buyer', 'sales', 'finance', 'viewer'] as const satisfies readonly Role[];
export type SimRole = (typeof SIM_ROLES)[number];

export interface SimLogin {
  email: string;
  role: Role;
  /** The warehouse a lead is scoped to (code); null for the others. */
  warehouse: string | null;
  password: string;
  /** False when the user existed already: its password is whatever it was set to then. */
  created: boolean;
}

export interface SimUsers {
  /** One actor per role. */
  actors: Record<SimRole, Actor>;
  /** The warehouse lead (role 'warehouse', scoped to it) of each warehouse, by code. */
  leads: ReadonlyMap<string, Actor>;
  /** What the demo prints: who can log in, and with what. */
  logins: SimLogin[];
}

export interface SimUserOptions {
  /**
   * The demo password of each user, chosen by the caller (the demo prints them).
   * One for all, or one per login. At least 12 characters (the user schema's rule).
   */
  password: string | ((role: Role, warehouseCode: string | null) => string);
  /** Emails are <role>@<domain> and lead.<warehouse>@<domain>. Default demo.opstower.local. */
  emailDomain?: string;
}

/**
 * The simulator's users: one per role and a lead per warehouse (the warehouses
 * are read from the database, in code order). A user whose email exists already
 * is reused as it is (a demo restarted on the same data), so this may run again.
 */
export async function createSimUsers(db: CoreDb, options: SimUserOptions): Promise<SimUsers> {
  const domain = options.emailDomain ?? 'demo.opstower.local';
  const passwordOf = typeof options.password === 'string' ? () => options.password as string : options.password;
  const warehouses = (await db.execute<{ id: number; code: string }>(sql`SELECT id, code FROM warehouses ORDER BY code`)).rows;
  const logins: SimLogin[] = [];

  async function ensure(email: string, name: string, role: Role, warehouse: { id: number; code: string } | null): Promise<Actor> {
    const [existing] = (
      await db.execute<{ id: number; email: string; name: string; role: Role; warehouse_id: number | null }>(
        sql`SELECT id, email, name, role, warehouse_id FROM users WHERE lower(email) = ${email}`
      )
    ).rows;
    const password = passwordOf(role, warehouse?.code ?? null);
    let user: SessionUser;
    if (existing) {
      user = { id: Number(existing.id), email: existing.email, name: existing.name, role: existing.role, warehouseId: existing.warehouse_id === null ? null : Number(existing.warehouse_id) };
    } else {
      user = await createUser(db, SYSTEM_ACTOR, { email, name, password, role, warehouseId: warehouse ? Number(warehouse.id) : null });
    }
    logins.push({ email, role, warehouse: warehouse?.code ?? null, password, created: !existing });
    return actorOf(user);
  }

  const actors = {} as Record<SimRole, Actor>;
  for (const role of SIM_ROLES) actors[role] = await ensure(`${role}@${domain}`, `Demo ${role}`, role, null);
  const leads = new Map<string, Actor>();
  for (const w of warehouses) {
    leads.set(w.code, await ensure(`lead.${w.code.toLowerCase()}@${domain}`, `Warehouse lead ${w.code}`, 'warehouse', w));
  }
  return { actors, leads, logins };
}
