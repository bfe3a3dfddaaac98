import { error, redirect, type Cookies } from '@sveltejs/kit';
import type { PageServerLoad } from './$types';
import { KIOSK_COOKIE, kioskOf } from '$lib/server/auth/kiosk';
import { requireScreen } from '$lib/server/auth/guard';
import { loadBoard } from '$lib/server/live/board-page';
import { wallWarehouse } from '$lib/server/live/boards/wall-queries';
import { getRuntime } from '$lib/server/runtime';

const REFUSED = 'This kiosk token is revoked or unknown. Ask an admin or the warehouse lead for a new wall-screen link.';
const ELSEWHERE = "This kiosk token opens another warehouse's wall screen.";
/** A wall screen stays up for months: the cookie outlives any reboot (browsers cap it at 400 days). */
const KIOSK_MAX_AGE_S = 400 * 24 * 60 * 60;

function setKioskCookie(cookies: Cookies, token: string, https: boolean): void {
  cookies.set(KIOSK_COOKIE, token, { path: '/', httpOnly: true, sameSite: 'strict', secure: https, maxAge: KIOSK_MAX_AGE_S });
}

/**
 * A wall screen: opened with ?kiosk=TOKEN (kept in a cookie, then dropped from
 * the address bar), with that cookie, or by a signed-in person allowed the wall
 * screens (a warehouse lead: its own warehouse only).
 */
export const load: PageServerLoad = async (event) => {
  const warehouseId = Number(event.params.warehouseId);
  if (!Number.isSafeInteger(warehouseId) || warehouseId <= 0) error(404, 'No such warehouse');
  const { db } = getRuntime();

  const token = event.url.searchParams.get('kiosk');
  if (token !== null) {
    const kiosk = await kioskOf(db, token);
    if (!kiosk) error(403, REFUSED);
    if (kiosk.warehouseId !== warehouseId) error(403, ELSEWHERE);
    setKioskCookie(event.cookies, token, event.url.protocol === 'https:');
    redirect(303, `/wall/${warehouseId}`);
  }

  // A signed-in person is that person, even on a browser that once held a kiosk token.
  let viewer: Parameters<typeof loadBoard>[3];
  if (event.locals.user) requireScreen(event, 'wall');
  else {
    const cookie = event.cookies.get(KIOSK_COOKIE);
    if (cookie === undefined) requireScreen(event, 'wall'); // to the sign-in page
    const kiosk = await kioskOf(db, cookie);
    if (!kiosk) error(403, REFUSED);
    if (kiosk.warehouseId !== warehouseId) error(403, ELSEWHERE);
    viewer = { kind: 'kiosk', kiosk };
  }
  const warehouse = await wallWarehouse(db, warehouseId);
  if (!warehouse) error(404, `Warehouse ${warehouseId} does not exist`);
  const board = await loadBoard(event, 'wall', { warehouseId }, viewer);
  return { ...board, warehouse };
};
