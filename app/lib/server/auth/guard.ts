import { error, redirect, type RequestEvent } from '@sveltejs/kit';
import type { SessionUser } from '../../../../schemas/api/auth';
import { SCREENS, type ScreenName } from '../../navigation';

/**
 * A page's first line: the signed-in user allowed on this screen. No session goes
 * to the sign-in page (and back afterwards); a role without the screen gets 403.
 */
export function requireScreen(event: Pick<RequestEvent, 'locals' | 'url'>, screen: ScreenName): SessionUser {
  const user = event.locals.user;
  if (!user) redirect(303, `/login?next=${encodeURIComponent(event.url.pathname + event.url.search)}`);
  const roles: readonly string[] = SCREENS[screen].roles;
  if (!roles.includes(user.role)) error(403, `The ${SCREENS[screen].label} is not open to the ${user.role} role.`);
  return user;
}
