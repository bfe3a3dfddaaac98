import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type ServerProcess } from './support/server-process';
import { tempDir } from './support/databases';

// The tRPC API over real HTTP against the production build: cookies, status codes, error shapes.
let s: ServerProcess;
beforeAll(async () => {
  s = await startServer({ DATA_DIR: await tempDir('http'), ADMIN_EMAIL: 'admin@example.com', ADMIN_PASSWORD: 'a long admin password' });
});
afterAll(async () => {
  s.proc.kill('SIGTERM');
  await s.exited;
});

const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
  fetch(`${s.url}/api/trpc/${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });

describe('API over HTTP', () => {
  it('signs in the bootstrap admin with an httpOnly SameSite session cookie', async () => {
    const res = await post('auth.login', { email: 'admin@example.com', password: 'a long admin password' });
    expect(res.status).toBe(200);
    const cookie = res.headers.get('set-cookie')!;
    expect(cookie).toMatch(/^opstower_session=[\w-]+;/);
    expect(cookie).toMatch(/HttpOnly/i);
    expect(cookie).toMatch(/SameSite=Lax/i);
    const me = await fetch(`${s.url}/api/trpc/auth.me`, { headers: { cookie: cookie.split(';')[0]! } });
    expect(me.status).toBe(200);
    expect((await me.json()).result.data).toMatchObject({ email: 'admin@example.com', role: 'admin' });
  });

  it('accepts a bearer token too, and refuses calls without a session', async () => {
    const login = await (await post('auth.login', { email: 'admin@example.com', password: 'a long admin password' })).json();
    const token = login.result.data.token as string;
    const ok = await fetch(`${s.url}/api/trpc/catalog.regions.list`, { headers: { authorization: `Bearer ${token}` } });
    expect(ok.status).toBe(200);
    const anon = await fetch(`${s.url}/api/trpc/auth.me`);
    expect(anon.status).toBe(401);
  });

  it('answers bad input with 400, field errors and no stack trace', async () => {
    const res = await post('auth.login', { email: 'not-an-email', password: '' });
    expect(res.status).toBe(400);
    const body = await res.json();
    expect(body.error.data.code).toBe('BAD_REQUEST');
    expect(body.error.data.fieldErrors).toMatchObject({ email: ['is not an email address'], password: ['is required'] });
    expect(JSON.stringify(body)).not.toMatch(/at .*\.(js|ts):\d+/);
    expect(body.error.data.stack).toBeUndefined();
  });

  it('takes the sign-in form over plain http (no ORIGIN): a same-site post is not refused as cross-site', async () => {
    const form = new URLSearchParams({ email: 'admin@example.com', password: 'a long admin password' });
    const res = await fetch(`${s.url}/login`, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'text/html', origin: s.url },
      body: form
    });
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/board/executive');
    expect(res.headers.get('set-cookie')).toMatch(/^opstower_session=[\w-]+;.*HttpOnly/i);
    const forged = await fetch(`${s.url}/login`, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'text/html', origin: 'http://evil.example' },
      body: form
    });
    expect(forged.status).toBe(403);
  });

  it('refuses a wrong password with 401 and the same words as an unknown email', async () => {
    const wrong = await post('auth.login', { email: 'admin@example.com', password: 'wrong password' });
    const unknown = await post('auth.login', { email: 'nobody@example.com', password: 'wrong password' });
    expect(wrong.status).toBe(401);
    expect((await wrong.json()).error.message).toBe((await unknown.json()).error.message);
  });
});
