import { initTRPC, TRPCError } from '@trpc/server';
import type { ClickHouseClient } from '@clickhouse/client';
import { ZodError } from 'zod';
import type { Role } from '../../../../schemas/api/roles';
import type { SessionUser } from '../../../../schemas/api/auth';
import type { Actor } from '../core/actor';
import type { CoreDb } from '../core/db';
import { DomainError } from '../core/errors';
import { actorOf } from '../auth/sessions';
import type { ScenarioControl } from '../../../../sim/scenario-registry';

export interface ApiContext {
  db: CoreDb;
  user: SessionUser | null;
  /** Session token of the request, when it came with one (logout needs it). */
  token: string | null;
  /** Sets or clears the session cookie (absent for in-process callers). */
  setSession?: (token: string | null, expiresAt?: Date) => void;
  isDev: boolean;
  /** The analytics warehouse the KPI procedures read (absent where only the core is wired). */
  ch?: ClickHouseClient;
  /** The live hub, where a change must reach open screens at once (a revoked kiosk token). */
  live?: { kioskRevoked(id: number): void };
  /** The simulator's scenarios, where this process runs the demo (the `sim` router). */
  sim?: ScenarioControl;
}

/** Who may call a procedure: roles, or 'public' (login only). Read by the role-matrix test. */
export interface ApiMeta {
  roles: readonly Role[] | 'public';
}

const t = initTRPC
  .context<ApiContext>()
  .meta<ApiMeta>()
  .create({
    // Stack traces reach clients only in development (STACK.md trap 5).
    isDev: process.env.NODE_ENV === 'development',
    errorFormatter({ shape, error }) {
      const cause = error.cause;
      const fieldErrors =
        cause instanceof ZodError ? cause.flatten().fieldErrors : cause instanceof DomainError ? cause.fieldErrors : undefined;
      return { ...shape, data: { ...shape.data, fieldErrors: fieldErrors ?? null } };
    }
  });

/** Domain errors become their tRPC code; Zod errors from a service's own parse become BAD_REQUEST. */
const domainErrors = t.middleware(async ({ next }) => {
  const result = await next();
  if (!result.ok) {
    const cause = result.error.cause;
    if (cause instanceof DomainError) throw new TRPCError({ code: cause.code, message: cause.message, cause });
    if (cause instanceof ZodError && result.error.code === 'INTERNAL_SERVER_ERROR') {
      throw new TRPCError({ code: 'BAD_REQUEST', message: 'invalid input', cause });
    }
  }
  return result;
});

export const router = t.router;
export const createCallerFactory = t.createCallerFactory;

export const publicProcedure = t.procedure.meta({ roles: 'public' }).use(domainErrors);

/** A procedure the given roles may call; everyone else gets UNAUTHORIZED or FORBIDDEN. */
export function allow(...roles: Role[]) {
  return t.procedure
    .meta({ roles })
    .use(domainErrors)
    .use(({ ctx, next }) => {
      if (!ctx.user) throw new TRPCError({ code: 'UNAUTHORIZED', message: 'sign in first' });
      if (!roles.includes(ctx.user.role)) {
        throw new TRPCError({ code: 'FORBIDDEN', message: `role ${ctx.user.role} may not do this; allowed: ${roles.join(', ')}` });
      }
      const actor: Actor = actorOf(ctx.user);
      return next({ ctx: { ...ctx, user: ctx.user, actor } });
    });
}

export const ALL_ROLES: Role[] = ['admin', 'executive', 'planner', 'buyer', 'sales', 'warehouse', 'finance', 'viewer'];
