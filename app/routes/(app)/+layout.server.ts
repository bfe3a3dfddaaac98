import type { LayoutServerLoad } from './$types';
import { screensFor } from '$lib/navigation';
import { THEME_COOKIE, themeOf } from '$lib/theme';
import { readBusinessClock } from '$lib/server/core/business-clock';
import { getRuntime } from '$lib/server/runtime';

export const load: LayoutServerLoad = async ({ locals, cookies }) => ({
  user: locals.user,
  screens: locals.user ? screensFor(locals.user.role) : [],
  theme: themeOf(cookies.get(THEME_COOKIE)),
  // Shown only when the business runs on a clock of its own (a time-compressed demo): "today" on the boards is its day.
  businessClock: locals.user ? await readBusinessClock(getRuntime().db) : null
});
