import type { CsvRowError } from '../../../../schemas/api/csv';

/**
 * The refused rows of an import, from the API's field errors: catalog.import keys
 * each problem "line N" or "line N, column" (CsvImportError); other keys are kept
 * as whole-file problems (line null).
 */
export function csvErrorsOf(fieldErrors: Record<string, string[]>): (Omit<CsvRowError, 'line'> & { line: number | null })[] {
  const rows = Object.entries(fieldErrors).flatMap(([key, messages]) => {
    const m = /^line (\d+)(?:, (.+))?$/.exec(key);
    return messages.map((message) => (m ? { line: Number(m[1]), column: m[2] ?? null, message } : { line: null, column: key || null, message }));
  });
  return rows.sort((a, b) => (a.line ?? 0) - (b.line ?? 0));
}
