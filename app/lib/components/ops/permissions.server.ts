import type { SessionUser } from '../../../../schemas/api/auth';
import { appRouter } from '../../server/api/root';

/**
 * Which API actions a user may take, read from the router's own role lists (the
 * ones the API enforces), so that a screen never offers a button the API refuses
 * by role. Warehouse scope is checked separately (mayActAt): it depends on the document.
 */
const procedures = (appRouter._def as unknown as { procedures: Record<string, { _def: { meta?: { roles: readonly string[] | 'public' } } }> }).procedures;

export function allowedActions<P extends string>(user: SessionUser, paths: readonly P[]): Record<P, boolean> {
  const out = {} as Record<P, boolean>;
  for (const p of paths) {
    const roles = procedures[p]?._def.meta?.roles;
    if (roles === undefined) throw new Error(`no API procedure ${p}`);
    out[p] = roles === 'public' || roles.includes(user.role);
  }
  return out;
}
