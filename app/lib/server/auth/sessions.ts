import { createHash, randomBytes } from 'node:crypto';
import { and, eq, gt, sql } from 'drizzle-orm';
import { createUserInput, loginInput, type CreateUserInput, type LoginInput, type SessionUser } from '../../../../schemas/api/auth';
import type { Actor } from '../core/actor';
import type { CoreDb } from '../core/db';
import { tables } from '../core/db';
import { DomainError } from '../core/errors';
import { transact } from '../core/transaction';
import { hashPassword, verifyPassword } from './passwords';

const { users, sessions } = tables;
export const SESSION_COOKIE = 'opstower_session';
export const SESSION_TTL_MS = 12 * 60 * 60 * 1000;

/** Where a session token lives in the browser: set on sign-in (the page or the API), cleared on sign-out. */
export interface CookieJar {
  set(name: string, value: string, options: { path: string; httpOnly: boolean; sameSite: 'lax'; secure: boolean; expires: Date }): void;
  delete(name: string, options: { path: string }): void;
}

/** httpOnly, SameSite=Lax, and Secure whenever the app is reached over https (ORIGIN). */
export function setSessionCookie(cookies: CookieJar, url: URL, token: string | null, expiresAt?: Date): void {
  if (token === null) return cookies.delete(SESSION_COOKIE, { path: '/' });
  cookies.set(SESSION_COOKIE, token, { path: '/', httpOnly: true, sameSite: 'lax', secure: url.protocol === 'https:', expires: expiresAt ?? new Date(Date.now() + SESSION_TTL_MS) });
}

/** Sessions store only a hash of the token: a database leak yields no usable session. */
const tokenHash = (token: string) => createHash('sha256').update(token).digest('base64url');

export async function createUser(db: CoreDb, actor: Actor, input: CreateUserInput): Promise<SessionUser> {
  const data = createUserInput.parse(input);
  const passwordHash = await hashPassword(data.password);
  return transact(db, actor, 'auth.createUser', async (tx) => {
    const [u] = await tx
      .insert(users)
      .values({ email: data.email, name: data.name, passwordHash, role: data.role, warehouseId: data.warehouseId })
      .returning();
    return { id: u!.id, email: u!.email, name: u!.name, role: u!.role, warehouseId: u!.warehouseId };
  });
}

export async function login(db: CoreDb, input: LoginInput): Promise<{ token: string; user: SessionUser; expiresAt: Date }> {
  const { email, password } = loginInput.parse(input);
  const [u] = await db.select().from(users).where(sql`lower(${users.email}) = ${email}`);
  // Verify against a hash even for an unknown email, so timing does not reveal which emails exist.
  const ok = await verifyPassword(u?.passwordHash ?? UNKNOWN_USER_HASH, password);
  if (!u || !ok || !u.active) throw new DomainError('UNAUTHORIZED', 'email or password is wrong');
  const token = randomBytes(32).toString('base64url');
  const expiresAt = new Date(Date.now() + SESSION_TTL_MS);
  await transact(db, { userId: u.id, role: u.role, warehouseId: u.warehouseId, name: u.email }, 'auth.login', (tx) =>
    tx.insert(sessions).values({ tokenHash: tokenHash(token), userId: u.id, expiresAt })
  );
  return { token, user: { id: u.id, email: u.email, name: u.name, role: u.role, warehouseId: u.warehouseId }, expiresAt };
}

export async function logout(db: CoreDb, token: string): Promise<void> {
  await db.delete(sessions).where(eq(sessions.tokenHash, tokenHash(token)));
}

export async function sessionUser(db: CoreDb, token: string | null | undefined): Promise<SessionUser | null> {
  if (!token) return null;
  const [row] = await db
    .select({ id: users.id, email: users.email, name: users.name, role: users.role, warehouseId: users.warehouseId, active: users.active })
    .from(sessions)
    .innerJoin(users, eq(users.id, sessions.userId))
    .where(and(eq(sessions.tokenHash, tokenHash(token)), gt(sessions.expiresAt, new Date())));
  if (!row || !row.active) return null;
  return { id: row.id, email: row.email, name: row.name, role: row.role, warehouseId: row.warehouseId };
}

export function actorOf(user: SessionUser): Actor {
  return { userId: user.id, role: user.role, warehouseId: user.warehouseId, name: user.email };
}

// A valid argon2id hash of a random password, computed once.
const UNKNOWN_USER_HASH = await hashPassword(randomBytes(16).toString('hex'));
