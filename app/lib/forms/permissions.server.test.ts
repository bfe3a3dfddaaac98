import { describe, expect, it } from 'vitest';
import { alertsRouter } from '../server/api/routers/alerts';
import { ordersRouter } from '../server/api/routers/orders';
import { allowedActions } from './permissions.server';

describe('allowedActions', () => {
  it('follows the roles the orders router enforces', () => {
    const names = ['create', 'confirm', 'ship', 'approve', 'cancel'] as const;
    expect(allowedActions(ordersRouter, 'sales', names)).toEqual({ create: true, confirm: true, ship: false, approve: false, cancel: true });
    expect(allowedActions(ordersRouter, 'warehouse', names)).toEqual({ create: false, confirm: false, ship: true, approve: false, cancel: false });
    expect(allowedActions(ordersRouter, 'finance', names)).toEqual({ create: false, confirm: false, ship: false, approve: true, cancel: false });
    expect(allowedActions(ordersRouter, 'admin', names)).toEqual({ create: true, confirm: true, ship: true, approve: true, cancel: true });
  });

  it('gives viewers and sales no alert handling, planners all of it', () => {
    expect(allowedActions(alertsRouter, 'viewer', ['acknowledge', 'resolve', 'list'])).toEqual({ acknowledge: false, resolve: false, list: true });
    expect(allowedActions(alertsRouter, 'sales', ['acknowledge', 'resolve'])).toEqual({ acknowledge: false, resolve: false });
    expect(allowedActions(alertsRouter, 'planner', ['acknowledge', 'resolve'])).toEqual({ acknowledge: true, resolve: true });
  });

  it('refuses a procedure name the router does not have', () => {
    expect(() => allowedActions(ordersRouter, 'admin', ['nonsense'])).toThrow(/no procedure nonsense/);
  });
});
