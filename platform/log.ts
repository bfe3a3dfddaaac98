import pino, { type Logger } from 'pino';
import type { Config } from '../schemas/config';

/** Errors are logged by name, message, code and stack only: driver errors carry whole client objects. */
function errorSerializer(err: unknown) {
  if (!(err instanceof Error)) return { message: String(err) };
  const e = err as Error & { code?: unknown };
  return { type: e.name, message: e.message, code: e.code, stack: e.stack };
}

/** Structured JSON logs (pino); one logger per process, children per module. */
export function createLogger(config: Pick<Config, 'LOG_LEVEL'>): Logger {
  return pino({
    level: config.LOG_LEVEL,
    base: { service: 'opstower' },
    serializers: { err: errorSerializer },
    redact: { paths: ['password', '*.password'], censor: '[redacted]' }
  });
}
