import { redirect } from '@sveltejs/kit';
import type { Actions, PageServerLoad } from './$types';
import { THEME_COOKIE, themeOf } from '$lib/theme';

export const load: PageServerLoad = () => redirect(303, '/');

/** Toggles the theme; works without JavaScript, and the header's button enhances it. */
export const actions: Actions = {
  default: ({ cookies, request }) => {
    const next = themeOf(cookies.get(THEME_COOKIE)) === 'dark' ? 'light' : 'dark';
    cookies.set(THEME_COOKIE, next, { path: '/', httpOnly: false, sameSite: 'lax', maxAge: 365 * 86400 });
    const back = request.headers.get('referer');
    redirect(303, back && new URL(back).pathname.startsWith('/') ? new URL(back).pathname + new URL(back).search : '/');
  }
};
