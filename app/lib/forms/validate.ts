import type { z } from 'zod';
import { failureOf, type ApiFailure } from '../api/client';

/**
 * Form validation with the API's own Zod schemas: errors by field path
 * ('customerId', 'lines.0.qty'; '' for the form as a whole), so a screen shows each
 * message next to its field, per line too. Server answers (tRPC fieldErrors) use the
 * same keys and merge in.
 */
export type FieldErrors = Record<string, string[]>;

/** ['lines', 0, 'qty'] -> 'lines.0.qty'. */
export function pathKey(path: readonly PropertyKey[]): string {
  return path.map((p) => String(p)).join('.');
}

/** Zod's default for a missing value ("expected number, received undefined") reads badly next to a field. */
const required: z.core.$ZodErrorMap = (issue) =>
  issue.code === 'invalid_type' && (issue.input === undefined || issue.input === null || Number.isNaN(issue.input)) ? 'is required' : undefined;

/** Every issue's message under its path, in the schema's order, without duplicates. */
export function fieldErrorsOf(error: z.ZodError): FieldErrors {
  const out: FieldErrors = {};
  for (const issue of error.issues) {
    const list = (out[pathKey(issue.path)] ??= []);
    if (!list.includes(issue.message)) list.push(issue.message);
  }
  return out;
}

export type Checked<T> = { ok: true; data: T } | { ok: false; errors: FieldErrors };

/** safeParse with the API's schema: the parsed value to send, or the field errors to show. */
export function check<S extends z.ZodType>(schema: S, value: unknown): Checked<z.output<S>> {
  const parsed = schema.safeParse(value, { error: required });
  return parsed.success ? { ok: true, data: parsed.data } : { ok: false, errors: fieldErrorsOf(parsed.error) };
}

/** Several sources of field errors (client check, server answer) as one, messages per key concatenated. */
export function mergeFieldErrors(...sources: (FieldErrors | null | undefined)[]): FieldErrors {
  const out: FieldErrors = {};
  for (const source of sources) {
    for (const [key, messages] of Object.entries(source ?? {})) {
      const list = (out[key] ??= []);
      for (const m of messages) if (!list.includes(m)) list.push(m);
    }
  }
  return out;
}

/** The messages of one field (exactly that path). */
export function errorsAt(errors: FieldErrors, key: string): string[] {
  return errors[key] ?? [];
}

/**
 * The messages no field of the form shows (`shown` says which keys have a place),
 * as "key: message", so that a server check on a field without an input is not lost.
 */
export function unplaced(errors: FieldErrors, shown: (key: string) => boolean): string[] {
  return Object.entries(errors).flatMap(([key, messages]) => (shown(key) ? [] : messages.map((m) => (key ? `${key}: ${m}` : m))));
}

/**
 * Renames array indexes of a path prefix: a form that sends only some of its rows
 * (lines with a quantity) maps the sent index back to the row shown.
 * rows[i] is the form row of sent element i.
 */
export function remapIndexes(errors: FieldErrors, arrayKey: string, rows: readonly (number | string)[]): FieldErrors {
  const out: FieldErrors = {};
  const prefix = `${arrayKey}.`;
  for (const [key, messages] of Object.entries(errors)) {
    let target = key;
    if (key.startsWith(prefix)) {
      const [index, ...rest] = key.slice(prefix.length).split('.');
      const row = rows[Number(index)];
      if (row !== undefined) target = [arrayKey, String(row), ...rest].join('.');
    }
    const list = (out[target] ??= []);
    for (const m of messages) if (!list.includes(m)) list.push(m);
  }
  return out;
}

export type Submitted<R> = { ok: true; result: R } | { ok: false; message: string | null; errors: FieldErrors };

/**
 * Checks the value with the schema, and only when it passes sends it; a refusal
 * from the server comes back as its message and field errors. Nothing is sent
 * when the check fails.
 */
export async function submitChecked<S extends z.ZodType, R>(
  schema: S,
  value: unknown,
  send: (data: z.output<S>) => Promise<R>,
  toFailure: (err: unknown) => ApiFailure = failureOf
): Promise<Submitted<R>> {
  const checked = check(schema, value);
  if (!checked.ok) return { ok: false, message: null, errors: checked.errors };
  try {
    return { ok: true, result: await send(checked.data) };
  } catch (err) {
    const failure = toFailure(err);
    return { ok: false, message: failure.message, errors: mergeFieldErrors(failure.fieldErrors) };
  }
}
