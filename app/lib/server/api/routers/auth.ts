import { createUserInput, loginInput } from '../../../../../schemas/api/auth';
import { createUser, login, logout } from '../../auth/sessions';
import { ALL_ROLES, allow, publicProcedure, router } from '../trpc';

export const authRouter = router({
  login: publicProcedure.input(loginInput).mutation(async ({ ctx, input }) => {
    const session = await login(ctx.db, input);
    ctx.setSession?.(session.token, session.expiresAt);
    return { user: session.user, token: session.token, expiresAt: session.expiresAt.toISOString() };
  }),
  logout: allow(...ALL_ROLES).mutation(async ({ ctx }) => {
    if (ctx.token) await logout(ctx.db, ctx.token);
    ctx.setSession?.(null);
    return { ok: true as const };
  }),
  me: allow(...ALL_ROLES).query(({ ctx }) => ctx.user),
  createUser: allow('admin')
    .input(createUserInput)
    .mutation(({ ctx, input }) => createUser(ctx.db, ctx.actor, input))
});
