// `npm run scenario -- <kind> [--field value ...] | list | stop <id|all>`: starts and
// stops the simulated network's scenarios of a running demo, through its HTTP API
// (the `sim` router), signed in as an admin. See USAGE in scenario-args.ts.
import path from 'node:path';
import { createTRPCClient, httpLink, TRPCClientError } from '@trpc/client';
import type { AppRouter } from '../app/lib/server/api/root';
import type { ActiveScenario } from '../schemas/sim-scenarios';
import { parseScenarioArgs, UsageError, USAGE } from './scenario-args';

const at = (iso: string) => iso.replace(/\.\d{3}Z$/, 'Z');
const line = (s: ActiveScenario) => `  ${String(s.id).padStart(3)}  ${s.description.padEnd(44)} ${at(s.startAt)} → ${at(s.endAt)}`;

async function main(argv: string[], env: NodeJS.ProcessEnv): Promise<number> {
  const command = parseScenarioArgs(argv);
  if (command.command === 'help') {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const base = (env.OPSTOWER_URL || 'http://localhost:3000').replace(/\/+$/, '');
  const email = env.OPSTOWER_EMAIL;
  const password = env.OPSTOWER_PASSWORD;
  if (!email || !password) throw new UsageError('set OPSTOWER_EMAIL and OPSTOWER_PASSWORD to an admin login (npm run demo prints one)');

  let token: string | null = null;
  const api = createTRPCClient<AppRouter>({
    links: [httpLink({ url: `${base}/api/trpc`, headers: () => (token ? { authorization: `Bearer ${token}` } : {}) })]
  });
  token = (await api.auth.login.mutate({ email, password })).token;

  if (command.command === 'list') {
    const { simNow, scenarios } = await api.sim.scenarios.list.query();
    process.stdout.write(`Simulated now: ${at(simNow)}\n`);
    const header = `   id  ${'scenario'.padEnd(44)} start → end (simulated)`;
    process.stdout.write(scenarios.length === 0 ? 'No active scenarios.\n' : `${[header, ...scenarios.map(line)].join('\n')}\n`);
  } else if (command.command === 'stop') {
    const { stopped } = await api.sim.scenarios.stop.mutate(command.id === 'all' ? { all: true } : { id: command.id });
    process.stdout.write(stopped.length === 0 ? 'No active scenarios to stop.\n' : `Stopped:\n${stopped.map(line).join('\n')}\n`);
  } else {
    const started = await api.sim.scenarios.start.mutate(command.input);
    process.stdout.write(`Started scenario ${started.id}: ${started.description}\n  simulated ${at(started.startAt)} → ${at(started.endAt)}\n`);
  }
  return 0;
}

/** What went wrong, in a sentence or a few (field by field), for the terminal. */
function explain(err: unknown, base: string): string {
  if (err instanceof UsageError) return `${err.message}\n\n${USAGE}`;
  if (err instanceof TRPCClientError) {
    const data = err.data as { code?: string; fieldErrors?: Record<string, string[]> | null } | undefined;
    if (!data) return `cannot reach opstower at ${base} (${err.message}): is it running? Start the demo with npm run demo.`;
    // A domain error's message already names its fields; Zod's field errors come on their own.
    const fields = Object.entries(data.fieldErrors ?? {})
      .map(([f, messages]) => `  ${f}: ${messages.join('; ')}`)
      .filter((l) => !err.message.includes(l.trim()));
    return [`${data.code ?? 'error'}: ${err.message}`, ...fields].join('\n');
  }
  return err instanceof Error ? err.message : String(err);
}

if (process.argv[1] && path.resolve(process.argv[1]) === path.resolve('scripts/scenario.ts')) {
  main(process.argv.slice(2), process.env).then(
    (code) => process.exit(code),
    (err) => {
      process.stderr.write(`${explain(err, process.env.OPSTOWER_URL || 'http://localhost:3000')}\n`);
      process.exit(err instanceof UsageError ? 2 : 1);
    }
  );
}
