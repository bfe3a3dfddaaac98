import { redirect } from '@sveltejs/kit';
import type { Actions, PageServerLoad } from './$types';
import { logout, setSessionCookie } from '$lib/server/auth/sessions';
import { getRuntime } from '$lib/server/runtime';

// Signing out is a POST (a link prefetch must not end a session).
export const load: PageServerLoad = () => redirect(303, '/');

export const actions: Actions = {
  default: async ({ locals, cookies, url }) => {
    if (locals.sessionToken) await logout(getRuntime().db, locals.sessionToken);
    setSessionCookie(cookies, url, null);
    redirect(303, '/login');
  }
};
