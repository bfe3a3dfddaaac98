// Writes docs/api.md from the tRPC router itself: every procedure's kind, the
// roles that may call it, its input (JSON Schema from the Zod schema) and its
// output (the TypeScript type tRPC infers). `npm run docs:api` regenerates it;
// tests/api-docs.test.ts fails when it is out of date.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';
import { z } from 'zod';
import { appRouter } from '../app/lib/server/api/root';

interface ProcedureDef {
  type: 'query' | 'mutation' | 'subscription';
  meta?: { roles: readonly string[] | 'public' };
  inputs: unknown[];
}

/** Output types as the compiler sees them, one per procedure path. */
function outputTypes(paths: string[]): Map<string, string> {
  const root = process.cwd();
  const probe = path.join(root, 'scripts/.api-docs-probe.ts');
  const source = [
    "import type { inferRouterOutputs } from '@trpc/server';",
    "import type { AppRouter } from '../app/lib/server/api/root';",
    'type O = inferRouterOutputs<AppRouter>;',
    ...paths.map((p, i) => `export type P${i} = O${p.split('.').map((s) => `['${s}']`).join('')};`)
  ].join('\n');
  const host = ts.createCompilerHost({});
  const original = host.readFile.bind(host);
  host.readFile = (f) => (path.resolve(f) === probe ? source : original(f));
  const originalExists = host.fileExists.bind(host);
  host.fileExists = (f) => path.resolve(f) === probe || originalExists(f);
  const program = ts.createProgram(
    [probe],
    { strict: true, module: ts.ModuleKind.ESNext, moduleResolution: ts.ModuleResolutionKind.Bundler, target: ts.ScriptTarget.ES2022, skipLibCheck: true, noEmit: true, types: ['node'] },
    host
  );
  const checker = program.getTypeChecker();
  const file = program.getSourceFile(probe)!;
  const out = new Map<string, string>();
  const printer = ts.createPrinter({ removeComments: true });
  ts.forEachChild(file, (node) => {
    if (ts.isTypeAliasDeclaration(node) && node.name.text.startsWith('P')) {
      const i = Number(node.name.text.slice(1));
      const type = checker.getTypeAtLocation(node.name);
      const flags = ts.NodeBuilderFlags.NoTruncation | ts.NodeBuilderFlags.InTypeAlias | ts.NodeBuilderFlags.MultilineObjectLiterals;
      const typeNode = checker.typeToTypeNode(type, undefined, flags);
      out.set(paths[i]!, typeNode ? printer.printNode(ts.EmitHint.Unspecified, typeNode, file).replace(/    /g, '  ') : 'unknown');
    }
  });
  return out;
}

export function renderApiDocs(): string {
  const procedures = (appRouter._def as unknown as { procedures: Record<string, { _def: ProcedureDef }> }).procedures;
  const paths = Object.keys(procedures).sort();
  const outputs = outputTypes(paths);
  const lines = [
    '# opstower API (tRPC)',
    '',
    'Generated from the router by `npm run docs:api`; do not edit by hand.',
    '',
    'Endpoint: `/api/trpc/<procedure>` (tRPC 11 fetch adapter; queries by GET, mutations by POST, JSON).',
    'Authentication: the `opstower_session` cookie set by `auth.login`, or `Authorization: Bearer <token>`.',
    '',
    'Errors: `BAD_REQUEST` (invalid input; `data.fieldErrors` names each field), `UNAUTHORIZED` (not signed in),',
    '`FORBIDDEN` (role or warehouse not allowed), `NOT_FOUND`, `CONFLICT` (the state does not allow it: ship a',
    'cancelled order, receive more than tolerated, take reserved stock). A refused call changes nothing.',
    '',
    '| procedure | kind | roles |',
    '|---|---|---|',
    ...paths.map((p) => {
      const d = procedures[p]!._def;
      const roles = d.meta?.roles === 'public' ? 'anyone' : (d.meta?.roles ?? []).join(', ');
      return `| [\`${p}\`](#${p.replace(/\./g, '')}) | ${d.type} | ${roles} |`;
    }),
    ''
  ];
  for (const p of paths) {
    const d = procedures[p]!._def;
    lines.push(`## ${p}`, '', `${d.type}; roles: ${d.meta?.roles === 'public' ? 'anyone' : (d.meta?.roles ?? []).join(', ')}`, '');
    const input = d.inputs[0];
    lines.push('Input:', '');
    if (input instanceof z.ZodType) {
      const schema = z.toJSONSchema(input, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
      delete schema.$schema;
      // Integer bounds equal to JavaScript's safe range say nothing to a reader.
      const json = JSON.stringify(schema, (k, v) => ((k === 'maximum' && v === Number.MAX_SAFE_INTEGER) || (k === 'minimum' && v === Number.MIN_SAFE_INTEGER) ? undefined : v), 2);
      lines.push('```json', json, '```', '');
    } else lines.push('none', '');
    lines.push('Output:', '', '```ts', outputs.get(p) ?? 'unknown', '```', '');
  }
  return lines.join('\n');
}

if (process.argv[1] && path.resolve(process.argv[1]) === path.resolve('scripts/api-docs.ts')) {
  writeFileSync('docs/api.md', renderApiDocs());
  process.stdout.write(`docs/api.md written\n`);
}
