import type { LayoutServerLoad } from './$types';
import { screensFor } from '$lib/navigation';
import { THEME_COOKIE, themeOf } from '$lib/theme';

export const load: LayoutServerLoad = ({ locals, cookies }) => ({
  user: locals.user,
  screens: locals.user ? screensFor(locals.user.role) : [],
  theme: themeOf(cookies.get(THEME_COOKIE))
});
