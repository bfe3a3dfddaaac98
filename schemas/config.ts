import { z } from 'zod';

/**
 * Every environment variable the control tower reads, validated once at start.
 * The README's configuration table mirrors this schema; tests/compose.test.ts
 * checks docker-compose.yml against CONFIG_VARIABLES.
 */

const postgresUrl = z
  .string()
  .trim()
  .refine((v) => /^postgres(ql)?:\/\/[^\s]+$/.test(v) && URL.canParse(v), {
    message: 'is not a PostgreSQL URL; expected postgres://user:password@host:5432/database'
  });

const httpUrl = z
  .string()
  .trim()
  .refine((v) => /^https?:\/\/[^\s]+$/.test(v) && URL.canParse(v), {
    message: 'is not an HTTP URL; expected http://user:password@host:8123/database'
  });

const port = z.coerce
  .number({ message: 'is not a number; expected a TCP port 1-65535' })
  .int({ message: 'is not a whole number; expected a TCP port 1-65535' })
  .min(1, { message: 'is below 1; expected a TCP port 1-65535' })
  .max(65535, { message: 'is above 65535; expected a TCP port 1-65535' });

/** A detector threshold: a number within bounds, with what it means in the message. */
const threshold = (expected: string, min: number, max: number) =>
  z.coerce
    .number({ message: `is not a number; expected ${expected}` })
    .min(min, { message: `is below ${min}; expected ${expected}` })
    .max(max, { message: `is above ${max}; expected ${expected}` });

const emptyAsUndefined = (v: unknown) => (v === '' ? undefined : v);

export const configSchema = z.object({
  NODE_ENV: z
    .enum(['development', 'production', 'test'], {
      message: 'is not a known environment; expected development, production or test'
    })
    .default('production'),
  HOST: z.string().trim().min(1, { message: 'is empty; expected a host name or address' }).default('0.0.0.0'),
  PORT: port.default(3000),
  ORIGIN: z.preprocess(emptyAsUndefined, httpUrl.optional()),
  DATABASE_URL: z.preprocess(emptyAsUndefined, postgresUrl.optional()),
  CLICKHOUSE_URL: z.preprocess(emptyAsUndefined, httpUrl.optional()),
  DATA_DIR: z.string().trim().min(1, { message: 'is empty; expected a directory path' }).default('.data'),
  ADMIN_EMAIL: z.preprocess(emptyAsUndefined, z.string().trim().toLowerCase().email({ message: 'is not an email address' }).optional()),
  ADMIN_PASSWORD: z.preprocess(emptyAsUndefined, z.string().min(12, { message: 'is shorter than 12 characters' }).optional()),
  INGEST_MODE: z
    .enum(['in-process', 'external'], {
      message: 'is not an ingest mode; expected in-process (this process runs the CDC ingest) or external (npm run ingest runs it)'
    })
    .default('in-process'),
  INGEST_SLOT: z
    .string()
    .trim()
    .regex(/^[a-z_][a-z0-9_]{0,62}$/, { message: 'is not a replication slot name; expected lower-case letters, digits and _ (at most 63)' })
    .default('opstower_ingest'),
  SIMULATOR: z
    .enum(['off', 'demo'], { message: 'is not a simulator mode; expected off or demo' })
    .default('off'),
  SIM_ORDERS_PER_SECOND: z.coerce
    .number({ message: 'is not a number; expected orders per second, e.g. 2' })
    .positive({ message: 'must be above 0' })
    .max(200, { message: 'is above 200 orders per second' })
    .default(2),
  DETECTOR_INTERVAL_SECONDS: z.coerce
    .number({ message: 'is not a number; expected seconds between scheduled detector runs, e.g. 30' })
    .int({ message: 'is not a whole number of seconds' })
    .min(1, { message: 'is below 1 second' })
    .max(3600, { message: 'is above 3600 seconds' })
    .default(30),
  LIVE_TILE_INTERVAL_MS: z.coerce
    .number({ message: 'is not a number; expected milliseconds between tile pushes per board room, e.g. 250' })
    .int({ message: 'is not a whole number of milliseconds' })
    .min(50, { message: 'is below 50 ms' })
    .max(60_000, { message: 'is above 60000 ms' })
    .default(250),
  LIVE_REFRESH_SECONDS: z.coerce
    .number({ message: 'is not a number; expected seconds between full board refreshes, e.g. 30' })
    .int({ message: 'is not a whole number of seconds' })
    .min(1, { message: 'is below 1 second' })
    .max(3600, { message: 'is above 3600 seconds' })
    .default(30),
  LIVE_ADAPTER: z
    .enum(['memory', 'postgres'], { message: 'is not a Socket.IO adapter; expected memory (one app node) or postgres (several app nodes)' })
    .default('memory'),
  ALERT_DEMAND_Z: threshold('a robust z-score, e.g. 3.5', 1, 100).default(3.5),
  ALERT_DEMAND_MIN_UNITS: threshold('units per day, e.g. 10', 0, 1_000_000).default(10),
  ALERT_ORDER_QUANTITY_Z: threshold('a robust z-score, e.g. 5', 1, 100).default(5),
  ALERT_BACKORDER_DAYS: threshold('days, e.g. 7', 0, 365).default(7),
  ALERT_TRANSFER_LATE_DAYS: threshold('days of grace, e.g. 0', 0, 365).default(0),
  ALERT_SUPPLIER_LATE_DAYS: threshold('days of grace, e.g. 0', 0, 365).default(0),
  ALERT_INGEST_LAG_MS: threshold('milliseconds, e.g. 10000', 1, 86_400_000).default(10_000),
  ALERT_SHIPPING_IDLE_MINUTES: threshold('minutes without a shipment while orders wait, e.g. 150', 1, 10_080).default(150),
  LOG_LEVEL: z
    .enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], {
      message: 'is not a log level; expected fatal, error, warn, info, debug, trace or silent'
    })
    .default('info')
});

export type Config = z.infer<typeof configSchema>;

/** ADMIN_EMAIL and ADMIN_PASSWORD come together (the first admin of a new installation). */
function checkPairs(c: Config): { name: string; message: string } | undefined {
  if ((c.ADMIN_EMAIL === undefined) !== (c.ADMIN_PASSWORD === undefined)) {
    const missing = c.ADMIN_EMAIL === undefined ? 'ADMIN_EMAIL' : 'ADMIN_PASSWORD';
    return { name: missing, message: 'is unset; ADMIN_EMAIL and ADMIN_PASSWORD are set together' };
  }
  return undefined;
}

/** The variable names the schema accepts (docker-compose.yml may set only these). */
export const CONFIG_VARIABLES = Object.keys(configSchema.shape) as (keyof Config)[];

export class ConfigError extends Error {
  override name = 'ConfigError';
}

/**
 * Parses the environment. On failure throws a ConfigError whose message is one
 * line: the variable, what is wrong with its value and what is expected.
 */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const picked = Object.fromEntries(CONFIG_VARIABLES.map((k) => [k, env[k]]));
  const result = configSchema.safeParse(picked);
  if (result.success) {
    const pair = checkPairs(result.data);
    if (pair) throw new ConfigError(`Invalid configuration: ${pair.name}=(unset) ${pair.message}`);
    return result.data;
  }
  const issue = result.error.issues[0]!;
  const name = String(issue.path[0] ?? 'environment');
  const raw = name === 'ADMIN_PASSWORD' ? (env[name] === undefined ? undefined : '***') : env[name]?.replace(/\/\/([^:/@\s]*):[^@\s]*@/, '//$1:***@'); // never print a password
  const shown = raw === undefined ? '(unset)' : JSON.stringify(raw.length > 60 ? raw.slice(0, 57) + '...' : raw);
  throw new ConfigError(`Invalid configuration: ${name}=${shown} ${issue.message}`);
}
