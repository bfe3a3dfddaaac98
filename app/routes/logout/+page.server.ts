import { redirect } from '@sveltejs/kit';
import type { Actions, PageServerLoad } from './$types';
import { logout, SESSION_COOKIE } from '$lib/server/auth/sessions';
import { getRuntime } from '$lib/server/runtime';

// Signing out is a POST (a link prefetch must not end a session).
export const load: PageServerLoad = () => redirect(303, '/');

export const actions: Actions = {
  default: async ({ locals, cookies }) => {
    if (locals.sessionToken) await logout(getRuntime().db, locals.sessionToken);
    cookies.delete(SESSION_COOKIE, { path: '/' });
    redirect(303, '/login');
  }
};
