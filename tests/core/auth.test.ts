import { eq } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import { login, logout, sessionUser } from '../../app/lib/server/auth/sessions';
import { tables } from '../../app/lib/server/core/db';
import { DomainError } from '../../app/lib/server/core/errors';
import { createCaller } from '../../app/lib/server/api/root';
import { coreFixture, type CoreFixture } from '../support/core';

let f: CoreFixture;
beforeAll(async () => {
  f = await coreFixture();
});

describe('sign-in and sessions', () => {
  it('stores an argon2id hash, never the password', async () => {
    const [u] = await f.db.select().from(tables.users).where(eq(tables.users.id, f.users.planner.id));
    expect(u!.passwordHash).toMatch(/^\$argon2id\$/);
    expect(u!.passwordHash).not.toContain('correct horse');
  });

  it('logs in, resolves the session, and logs out', async () => {
    const s = await login(f.db, { email: 'Planner@Test.local', password: 'correct horse battery' });
    expect(s.user).toMatchObject({ role: 'planner', email: 'planner@test.local' });
    expect(await sessionUser(f.db, s.token)).toMatchObject({ id: f.users.planner.id, role: 'planner' });
    const [row] = await f.db.select().from(tables.sessions).where(eq(tables.sessions.userId, f.users.planner.id));
    expect(row!.tokenHash).not.toBe(s.token); // only a hash is stored
    await logout(f.db, s.token);
    expect(await sessionUser(f.db, s.token)).toBeNull();
  });

  it('refuses a wrong password and an unknown email with the same message', async () => {
    const wrong = await login(f.db, { email: 'planner@test.local', password: 'nope' }).catch((e) => e);
    const unknown = await login(f.db, { email: 'ghost@test.local', password: 'nope' }).catch((e) => e);
    expect(wrong).toBeInstanceOf(DomainError);
    expect(wrong.code).toBe('UNAUTHORIZED');
    expect(unknown.message).toBe(wrong.message);
  });

  it('ignores expired sessions and sessions of deactivated users', async () => {
    const s = await login(f.db, { email: 'viewer@test.local', password: 'correct horse battery' });
    await f.db.update(tables.sessions).set({ expiresAt: new Date(Date.now() - 1000) }).where(eq(tables.sessions.userId, f.users.viewer.id));
    expect(await sessionUser(f.db, s.token)).toBeNull();
    const s2 = await login(f.db, { email: 'finance@test.local', password: 'correct horse battery' });
    await f.db.update(tables.users).set({ active: false }).where(eq(tables.users.id, f.users.finance.id));
    expect(await sessionUser(f.db, s2.token)).toBeNull();
    await expect(login(f.db, { email: 'finance@test.local', password: 'correct horse battery' })).rejects.toMatchObject({ code: 'UNAUTHORIZED' });
  });

  it('through the API: login sets the session, unauthenticated calls are refused, admins create users', async () => {
    const anonymous = createCaller({ db: f.db, user: null, token: null, isDev: false });
    await expect(anonymous.auth.me()).rejects.toMatchObject({ code: 'UNAUTHORIZED' });
    let cookie: string | null = null;
    const withCookie = createCaller({ db: f.db, user: null, token: null, isDev: false, setSession: (t) => (cookie = t) });
    const res = await withCookie.auth.login({ email: 'sales@test.local', password: 'correct horse battery' });
    expect(cookie).toBe(res.token);
    await expect(f.as('planner').auth.createUser({ email: 'x@test.local', name: 'X', password: 'long enough password', role: 'viewer' })).rejects.toMatchObject({
      code: 'FORBIDDEN'
    });
    await expect(f.as('admin').auth.createUser({ email: 'bad', name: 'X', password: 'short', role: 'viewer' })).rejects.toMatchObject({ code: 'BAD_REQUEST' });
    const created = await f.as('admin').auth.createUser({ email: 'new@test.local', name: 'New', password: 'long enough password', role: 'buyer' });
    expect(created.role).toBe('buyer');
    await expect(f.as('admin').auth.createUser({ email: 'NEW@test.local', name: 'Dup', password: 'long enough password', role: 'buyer' })).rejects.toMatchObject({
      code: 'CONFLICT'
    });
  });
});
