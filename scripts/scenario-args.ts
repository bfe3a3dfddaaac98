import { z } from 'zod';
import { scenarioInput, SCENARIO_KINDS, type ScenarioInput, type ScenarioKind } from '../schemas/sim-scenarios';

/**
 * The command line of `npm run scenario` (scripts/scenario.ts), parsed and checked
 * with the same Zod schema as the API, so that a mistake is named before anything
 * is sent. Flags are the schema's fields, kebab-case or camelCase.
 */
export type ScenarioCommand = { command: 'list' } | { command: 'stop'; id: number | 'all' } | { command: 'start'; input: ScenarioInput } | { command: 'help' };

export class UsageError extends Error {
  override name = 'UsageError';
}

export const USAGE = `Usage: npm run scenario -- <command>

  list                                   the active scenarios, in simulated time
  stop <id|all>                          stops one scenario, or all of them
  supplier-slip  --supplier-code SUP-003 --days 5 [--hours 336]
                                         the supplier's deliveries come DAYS later (for HOURS, default 14 days)
  demand-spike   --region-code NE --factor 3 [--hours 24]
  demand-spike   --category "power tools" --factor 3 [--hours 24]
                                         a region's customers order FACTOR times as often, or a category's
                                         lines are FACTOR times as likely (default for 24 hours)
  lane-stall     --from-code ORD --to-code EWR [--hours 72]
                                         nothing is shipped or received on the lane
  warehouse-stop --warehouse-code DFW [--minutes 60]
                                         the warehouse ships nothing for MINUTES

Durations are simulated time; a scenario starts at the simulated now.
Environment: OPSTOWER_URL (default http://localhost:3000), OPSTOWER_EMAIL and OPSTOWER_PASSWORD
(an admin login: npm run demo prints one).`;

const kebab = (field: string) => field.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
const camel = (flag: string) => flag.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());

/** The fields of one kind and whether each is a number (read from the schema). */
function fieldsOf(kind: ScenarioKind): Map<string, 'number' | 'string'> {
  const member = scenarioInput.options.find((o) => o.shape.kind.value === kind)!;
  const fields = new Map<string, 'number' | 'string'>();
  for (const [name, schema] of Object.entries(member.shape as Record<string, z.ZodType>)) {
    if (name === 'kind') continue;
    let inner: z.ZodType = schema;
    while (inner instanceof z.ZodOptional || inner instanceof z.ZodDefault) inner = inner.unwrap() as z.ZodType;
    fields.set(name, inner instanceof z.ZodNumber ? 'number' : 'string');
  }
  return fields;
}

export function parseScenarioArgs(argv: string[]): ScenarioCommand {
  const [command, ...rest] = argv;
  if (command === undefined || command === 'help' || command === '--help' || command === '-h') return { command: 'help' };
  if (command === 'list') {
    if (rest.length > 0) throw new UsageError(`list takes no arguments (got ${rest.join(' ')})`);
    return { command: 'list' };
  }
  if (command === 'stop') {
    const [which, ...extra] = rest;
    if (which === 'all' && extra.length === 0) return { command: 'stop', id: 'all' };
    if (which !== undefined && /^\d+$/.test(which) && Number(which) > 0 && extra.length === 0) return { command: 'stop', id: Number(which) };
    throw new UsageError('stop takes one scenario id (see `list`) or `all`');
  }
  if (!(SCENARIO_KINDS as readonly string[]).includes(command)) {
    throw new UsageError(`unknown command ${command}: use list, stop, or a scenario kind (${SCENARIO_KINDS.join(', ')})`);
  }
  const kind = command as ScenarioKind;
  const fields = fieldsOf(kind);
  const known = [...fields.keys()].map((f) => `--${kebab(f)}`).join(', ');
  const request: Record<string, unknown> = { kind };
  for (let i = 0; i < rest.length; i++) {
    const arg = rest[i]!;
    const m = /^--([A-Za-z][A-Za-z-]*)(?:=(.*))?$/s.exec(arg);
    if (!m) throw new UsageError(`unexpected ${arg}: ${kind} takes ${known}`);
    const field = camel(m[1]!);
    const type = fields.get(field);
    if (!type) throw new UsageError(`${kind} has no --${m[1]}; it takes ${known}`);
    const value = m[2] ?? rest[++i];
    if (value === undefined) throw new UsageError(`--${m[1]} needs a value`);
    if (type === 'number' && !(value.trim() !== '' && Number.isFinite(Number(value)))) throw new UsageError(`--${m[1]} must be a number, not "${value}"`);
    request[field] = type === 'number' ? Number(value) : value;
  }
  const parsed = scenarioInput.safeParse(request);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => (i.path.length ? `--${kebab(String(i.path[0]))}: ${i.message}` : i.message));
    throw new UsageError(`${kind}: ${lines.join('; ')}`);
  }
  return { command: 'start', input: parsed.data };
}
