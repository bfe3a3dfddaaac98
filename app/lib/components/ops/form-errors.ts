import type { z } from 'zod';
import { failureOf } from '../../api/client';

/** Errors by field path ("toWarehouseId", "lines.0.qty"); "" holds the form's own. */
export type FieldErrors = Record<string, string[]>;

/**
 * Zod's issues keyed by their full path, so that per-line errors land next to
 * the line's field (flatten() would keep only the first path segment).
 */
export function issuesByPath(error: z.ZodError): FieldErrors {
  const out: FieldErrors = {};
  for (const issue of error.issues) (out[issue.path.map(String).join('.')] ??= []).push(issue.message);
  return out;
}

/** Zod's default "expected number, received undefined" reads badly on an empty field. */
export const requiredMessage = { error: (issue: { input: unknown }) => (issue.input === undefined ? 'is required' : undefined) };

/**
 * Submitted arrays may skip rows (lines left blank): maps "lines.<k>.field" of the
 * submitted array back to the row the person sees, "lines.<rowOf[k]>.field".
 */
export function remapRows(errors: FieldErrors, rowOf: readonly number[], key = 'lines'): FieldErrors {
  const out: FieldErrors = {};
  for (const [path, messages] of Object.entries(errors)) {
    const m = new RegExp(`^${key}\\.(\\d+)(\\..*)?$`).exec(path);
    const target = m ? `${key}.${rowOf[Number(m[1])] ?? m[1]}${m[2] ?? ''}` : path;
    (out[target] ??= []).push(...messages);
  }
  return out;
}

export interface Outcome {
  /** The server's (or the form's) sentence, shown at the top of the form. */
  message: string | null;
  fieldErrors: FieldErrors;
}

/** An API failure as a form shows it: the message, and the server's field errors by path. */
export function outcomeOf(err: unknown): Outcome {
  const f = failureOf(err);
  return { message: f.message, fieldErrors: f.fieldErrors };
}

/** Field errors of a form whose paths are not shown next to any field, so that none is lost. */
export function unplaced(errors: FieldErrors, shown: (path: string) => boolean): string[] {
  return Object.entries(errors).flatMap(([path, messages]) => (shown(path) ? [] : messages.map((m) => (path ? `${path}: ${m}` : m))));
}
