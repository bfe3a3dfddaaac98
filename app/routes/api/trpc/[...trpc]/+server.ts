import { fetchRequestHandler } from '@trpc/server/adapters/fetch';
import type { RequestHandler } from './$types';
import { appRouter } from '$lib/server/api/root';
import { sessionUser, setSessionCookie } from '$lib/server/auth/sessions';

import { getRuntime } from '$lib/server/runtime';

const handler: RequestHandler = async (event) => {
  const runtime = getRuntime();
  const db = runtime.db;
  const bearer = event.request.headers.get('authorization')?.match(/^Bearer (\S+)$/)?.[1];
  const token = bearer ?? event.locals.sessionToken;
  const user = bearer ? await sessionUser(db, bearer) : event.locals.user;
  return fetchRequestHandler({
    endpoint: '/api/trpc',
    req: event.request,
    router: appRouter,
    createContext: () => ({
      db,
      user,
      token,
      isDev: runtime.config.NODE_ENV === 'development',
      ch: runtime.engines.clickhouse.client,
      live: runtime.hub,
      sim: runtime.sim,
      setSession: (value, expiresAt) => setSessionCookie(event.cookies, event.url, value, expiresAt)
    }),
    onError: ({ error, path }) => {
      if (error.code === 'INTERNAL_SERVER_ERROR') event.locals.log.error({ err: error, path }, 'API error');
    }
  });
};

export const GET = handler;
export const POST = handler;
