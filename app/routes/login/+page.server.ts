import { fail, redirect } from '@sveltejs/kit';
import type { Actions, PageServerLoad } from './$types';
import { loginInput } from '../../../schemas/api/auth';
import { login, setSessionCookie } from '$lib/server/auth/sessions';
import { DomainError } from '$lib/server/core/errors';
import { homeOf } from '$lib/navigation';
import { getRuntime } from '$lib/server/runtime';

type FieldErrors = Partial<Record<'email' | 'password', string[]>>;

/** Only same-site paths: a crafted ?next= must not send the user elsewhere. */
const safeNext = (next: string | null) => (next && /^\/(?!\/)/.test(next) && !next.startsWith('/login') ? next : null);

export const load: PageServerLoad = ({ locals, url }) => {
  if (locals.user) redirect(303, safeNext(url.searchParams.get('next')) ?? homeOf(locals.user.role));
  return {};
};

export const actions: Actions = {
  default: async ({ request, cookies, url }) => {
    const form = await request.formData();
    const email = String(form.get('email') ?? '');
    const parsed = loginInput.safeParse({ email, password: String(form.get('password') ?? '') });
    if (!parsed.success) return fail(400, { email, fieldErrors: parsed.error.flatten().fieldErrors as FieldErrors, message: null });
    try {
      const session = await login(getRuntime().db, parsed.data);
      setSessionCookie(cookies, url, session.token, session.expiresAt);
      redirect(303, safeNext(url.searchParams.get('next')) ?? homeOf(session.user.role));
    } catch (err) {
      if (err instanceof DomainError && err.code === 'UNAUTHORIZED') return fail(401, { email, fieldErrors: {} as FieldErrors, message: err.message });
      throw err;
    }
  }
};
