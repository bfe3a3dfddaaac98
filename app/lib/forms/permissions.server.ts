import type { AnyRouter } from '@trpc/server';
import type { Role } from '../../../schemas/api/roles';
import type { ApiMeta } from '../server/api/trpc';

interface ProcedureDef {
  _def: { meta?: ApiMeta };
}

/**
 * Which of a router's procedures a role may call, read from the procedures' own
 * role lists (the ones the API enforces and docs/api.md prints), so a screen offers
 * exactly the buttons the API will accept — never a copy of the role list that
 * could drift. The server still refuses on its own; screens show that refusal.
 */
export function allowedActions<const K extends string>(router: AnyRouter, role: Role, names: readonly K[]): Record<K, boolean> {
  const procedures = (router._def as unknown as { procedures: Record<string, ProcedureDef | undefined> }).procedures;
  const out = {} as Record<K, boolean>;
  for (const name of names) {
    const roles = procedures[name]?._def.meta?.roles;
    if (roles === undefined) throw new Error(`no procedure ${name} in the router`);
    out[name] = roles === 'public' || roles.includes(role);
  }
  return out;
}
