import type { Role } from '../../../../schemas/api/roles';
import { appRouter } from '../api/root';

/**
 * Which of the suggested actions a role may take from the planner: read from
 * the roles the API itself allows (purchasing.create, transfers.request; see
 * docs/api.md), so the page shows a button only where the call would pass.
 */
export const BUY_PROCEDURE = 'purchasing.create';
export const TRANSFER_PROCEDURE = 'transfers.request';

interface ProcedureMeta {
  _def: { meta?: { roles: readonly string[] | 'public' } };
}

export function mayCall(procedure: string, role: Role): boolean {
  const procedures = (appRouter._def as unknown as { procedures: Record<string, ProcedureMeta> }).procedures;
  const roles = procedures[procedure]?._def.meta?.roles;
  return roles === 'public' || (roles ?? []).includes(role);
}

export interface PlannerRights {
  buy: boolean;
  transfer: boolean;
}

export function plannerRights(role: Role): PlannerRights {
  return { buy: mayCall(BUY_PROCEDURE, role), transfer: mayCall(TRANSFER_PROCEDURE, role) };
}
