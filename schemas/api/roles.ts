import { z } from 'zod';

export const ROLES = ['admin', 'executive', 'planner', 'buyer', 'sales', 'warehouse', 'finance', 'viewer'] as const;
export const roleSchema = z.enum(ROLES);
export type Role = z.infer<typeof roleSchema>;
