import { z } from 'zod';
import { roleSchema } from './roles';

export const loginInput = z.object({
  email: z.string().trim().toLowerCase().email('is not an email address'),
  password: z.string().min(1, 'is required').max(200)
});

export const createUserInput = z.object({
  email: z.string().trim().toLowerCase().email('is not an email address'),
  name: z.string().trim().min(1, 'is required').max(120),
  password: z.string().min(12, 'must be at least 12 characters').max(200),
  role: roleSchema,
  warehouseId: z.number().int().positive().nullable().default(null)
});

export type LoginInput = z.infer<typeof loginInput>;
export type CreateUserInput = z.input<typeof createUserInput>;

export const sessionUser = z.object({
  id: z.number().int(),
  email: z.string(),
  name: z.string(),
  role: roleSchema,
  warehouseId: z.number().int().nullable()
});
export type SessionUser = z.infer<typeof sessionUser>;
