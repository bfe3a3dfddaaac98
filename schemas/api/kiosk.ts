import { z } from 'zod';

export const createKioskInput = z.strictObject({
  warehouseId: z.number().int().positive(),
  label: z.string().trim().min(1, 'is required').max(80)
});
export type CreateKioskInput = z.infer<typeof createKioskInput>;

export const kioskIdInput = z.strictObject({ id: z.number().int().positive() });
export const listKiosksInput = z.strictObject({ warehouseId: z.number().int().positive().optional() }).default({});

export const kioskToken = z.object({
  id: z.number().int(),
  warehouseId: z.number().int(),
  label: z.string(),
  createdBy: z.number().int(),
  createdAt: z.iso.datetime(),
  revokedAt: z.iso.datetime().nullable(),
  lastSeenAt: z.iso.datetime().nullable()
});
export type KioskToken = z.infer<typeof kioskToken>;
