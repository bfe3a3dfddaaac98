import { randomUUID } from 'node:crypto';
import type { Handle, HandleServerError, ServerInit } from '@sveltejs/kit';
import { building } from '$app/environment';
import { ensureRuntime, getRuntime } from '$lib/server/runtime';
import { httpDuration, httpRequests } from '../platform/metrics';
import { SESSION_COOKIE, sessionUser } from '$lib/server/auth/sessions';
import { THEME_COOKIE, themeOf } from '$lib/theme';

export const init: ServerInit = async () => {
  if (building) return; // the build analyses routes; it must not start databases
  await ensureRuntime();
};

const QUIET = new Set(['/healthz', '/metrics']);

export const handle: Handle = async ({ event, resolve }) => {
  const runtime = getRuntime();
  const incoming = event.request.headers.get('x-request-id');
  const requestId = incoming && /^[\w.-]{1,100}$/.test(incoming) ? incoming : randomUUID();
  event.locals.requestId = requestId;
  event.locals.log = runtime.log.child({ reqId: requestId });
  // The session of the request (cookie), resolved once for pages, actions and the API.
  event.locals.sessionToken = event.cookies.get(SESSION_COOKIE) ?? null;
  event.locals.user = QUIET.has(event.url.pathname) ? null : await sessionUser(runtime.db, event.locals.sessionToken);
  const started = performance.now();
  const theme = themeOf(event.cookies.get(THEME_COOKIE));
  const response = await resolve(event, { transformPageChunk: ({ html }) => html.replace('%opstower.theme%', theme) });
  const seconds = (performance.now() - started) / 1000;
  const route = event.route.id ?? 'unmatched';
  httpRequests.inc({ method: event.request.method, route, status: String(response.status) });
  httpDuration.observe({ method: event.request.method, route }, seconds);
  const line = { method: event.request.method, path: event.url.pathname, status: response.status, ms: Math.round(seconds * 1000) };
  if (QUIET.has(event.url.pathname)) event.locals.log.debug(line, 'request');
  else event.locals.log.info(line, 'request');
  response.headers.set('x-request-id', requestId);
  return response;
};

/** Clients get a message and the request id to quote; the stack stays in the log. */
export const handleError: HandleServerError = ({ error, event, status, message }) => {
  const requestId = event.locals.requestId ?? randomUUID();
  (event.locals.log ?? console).error({ err: error, status }, 'unhandled error');
  return { message: status >= 500 ? 'Internal error' : message, requestId };
};
