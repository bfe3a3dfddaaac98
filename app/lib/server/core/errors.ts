/**
 * Errors the core services throw on purpose. Each carries the tRPC code the API
 * answers with; anything else is an internal error.
 */
export type DomainErrorCode = 'BAD_REQUEST' | 'CONFLICT' | 'NOT_FOUND' | 'FORBIDDEN' | 'UNAUTHORIZED';

export class DomainError extends Error {
  override name = 'DomainError';
  constructor(
    readonly code: DomainErrorCode,
    message: string,
    readonly fieldErrors?: Record<string, string[]>
  ) {
    super(message);
  }
}

export const notFound = (what: string, id: string | number) => new DomainError('NOT_FOUND', `${what} ${id} does not exist`);
export const conflict = (message: string) => new DomainError('CONFLICT', message);
export const invalid = (message: string, fieldErrors?: Record<string, string[]>) => new DomainError('BAD_REQUEST', message, fieldErrors);
export const forbidden = (message: string) => new DomainError('FORBIDDEN', message);
