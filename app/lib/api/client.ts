import { createTRPCClient, httpBatchLink, TRPCClientError } from '@trpc/client';
import type { AppRouter } from '../server/api/root';

/** The browser's typed API client: the same tRPC procedures, roles and Zod schemas as every other caller. */
export const api = createTRPCClient<AppRouter>({ links: [httpBatchLink({ url: '/api/trpc' })] });

export interface ApiFailure {
  message: string;
  /** Zod's field errors (or a domain error's), by field path. */
  fieldErrors: Record<string, string[]>;
}

/** What went wrong with an API call, for a form to show next to its fields. */
export function failureOf(err: unknown): ApiFailure {
  if (err instanceof TRPCClientError) {
    const data = err.data as { fieldErrors?: Record<string, string[]> | null } | undefined;
    return { message: err.message, fieldErrors: data?.fieldErrors ?? {} };
  }
  return { message: err instanceof Error ? err.message : String(err), fieldErrors: {} };
}
