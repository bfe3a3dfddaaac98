import { describe, expect, it } from 'vitest';
import { plannerRights } from './rights';

describe('plannerRights', () => {
  it('follows the API: buyers create purchase orders, planners request transfers, admins both', () => {
    expect(plannerRights('buyer')).toEqual({ buy: true, transfer: false });
    expect(plannerRights('planner')).toEqual({ buy: false, transfer: true });
    expect(plannerRights('admin')).toEqual({ buy: true, transfer: true });
    expect(plannerRights('viewer')).toEqual({ buy: false, transfer: false });
  });
});
