import type { Role } from '../../schemas/api/roles';

/**
 * The screens and who sees them. The navigation shows a role its entries; each
 * page's server load checks the same list (guard.ts), and each board room its
 * board's roles (server/live/boards), so a page hidden from a role is also refused.
 */
export interface Screen {
  href: string;
  label: string;
  group: 'Boards' | 'Operations' | 'Admin';
  roles: readonly Role[];
}

export const SCREENS = {
  executive: { href: '/board/executive', label: 'Executive board', group: 'Boards', roles: ['admin', 'executive', 'planner', 'finance', 'viewer'] },
  planner: { href: '/board/planner', label: 'Planner', group: 'Boards', roles: ['admin', 'planner', 'buyer'] },
  wall: { href: '/wall', label: 'Wall screens', group: 'Boards', roles: ['admin', 'executive', 'warehouse'] },
  alerts: { href: '/alerts', label: 'Alerts', group: 'Boards', roles: ['admin', 'executive', 'planner', 'buyer', 'sales', 'warehouse', 'finance', 'viewer'] },
  orders: { href: '/ops/orders', label: 'Sales orders', group: 'Operations', roles: ['admin', 'sales', 'warehouse', 'finance', 'executive'] },
  purchasing: { href: '/ops/purchasing', label: 'Purchasing', group: 'Operations', roles: ['admin', 'buyer', 'planner', 'warehouse'] },
  transfers: { href: '/ops/transfers', label: 'Transfers', group: 'Operations', roles: ['admin', 'planner', 'warehouse'] },
  stock: { href: '/ops/stock', label: 'Stock & ATP', group: 'Operations', roles: ['admin', 'executive', 'planner', 'buyer', 'sales', 'warehouse', 'finance', 'viewer'] },
  import: { href: '/ops/import', label: 'CSV import', group: 'Admin', roles: ['admin'] },
  kiosks: { href: '/admin/kiosks', label: 'Kiosk screens', group: 'Admin', roles: ['admin', 'warehouse'] },
  scenarios: { href: '/admin/scenarios', label: 'Scenarios', group: 'Admin', roles: ['admin'] }
} as const satisfies Record<string, Screen>;

export type ScreenName = keyof typeof SCREENS;

export function screensFor(role: Role): Screen[] {
  return Object.values(SCREENS).filter((s: Screen) => s.roles.includes(role));
}

/** Where a role lands after sign-in: its main board. */
export function homeOf(role: Role): string {
  if (role === 'warehouse') return SCREENS.wall.href;
  if (role === 'sales' || role === 'finance') return SCREENS.orders.href;
  if (role === 'planner' || role === 'buyer') return SCREENS.planner.href;
  return SCREENS.executive.href;
}
