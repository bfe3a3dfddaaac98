import { sql } from 'drizzle-orm';
import type { Logger } from 'pino';
import type { Config } from '../../../../schemas/config';
import { SYSTEM_ACTOR } from '../core/actor';
import type { CoreDb } from '../core/db';
import { tables } from '../core/db';
import { createUser } from './sessions';

/**
 * The first admin of a new installation comes from ADMIN_EMAIL / ADMIN_PASSWORD:
 * created when no user has that email, never changed afterwards (so the
 * variables can stay set without resetting a password someone changed).
 */
export async function ensureBootstrapAdmin(db: CoreDb, config: Config, log: Logger): Promise<void> {
  if (!config.ADMIN_EMAIL || !config.ADMIN_PASSWORD) return;
  const [existing] = await db.select({ id: tables.users.id }).from(tables.users).where(sql`lower(${tables.users.email}) = ${config.ADMIN_EMAIL}`);
  if (existing) return;
  await createUser(db, SYSTEM_ACTOR, { email: config.ADMIN_EMAIL, name: 'Administrator', password: config.ADMIN_PASSWORD, role: 'admin' }).catch((err) => {
    if ((err as { code?: string }).code !== 'CONFLICT') throw err; // another node created it first
  });
  log.info({ email: config.ADMIN_EMAIL }, 'bootstrap admin created');
}
