// `npm run bench [-- NAME]`: runs every bench/*.bench.ts (or the one named), prints
// a table per benchmark and writes bench/results/NAME.json.
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { meets, type Benchmark, type BenchContext, type Figure } from './harness';

const dir = path.resolve('bench');
const wanted = process.argv.slice(2).filter((a) => !a.startsWith('-'));
const available = (await readdir(dir)).filter((f) => f.endsWith('.bench.ts')).map((f) => f.replace(/\.bench\.ts$/, ''));
const unknown = wanted.filter((w) => !available.includes(w));
if (unknown.length) {
  process.stderr.write(`bench: no benchmark named ${unknown.join(', ')}; available: ${available.join(', ')}\n`);
  process.exit(2);
}

const tty = process.stdout.isTTY;
function context(name: string): BenchContext {
  let lastTenth = -1;
  return {
    progress(label, fraction) {
      const pct = Math.round(Math.min(1, Math.max(0, fraction)) * 100);
      const bar = '█'.repeat(Math.round(pct / 5)).padEnd(20, '░');
      if (tty) process.stdout.write(`\r  ${name}: ${label.padEnd(40)} ${bar} ${String(pct).padStart(3)}%`);
      else if (Math.floor(pct / 10) !== lastTenth) process.stdout.write(`  ${name}: ${label} ${pct}%\n`);
      lastTenth = Math.floor(pct / 10);
      if (tty && pct === 100) process.stdout.write('\n');
    },
    log(message) {
      process.stdout.write(`${tty ? '\r' : ''}  ${name}: ${message}\n`);
    }
  };
}

function table(figures: Figure[]): string {
  const rows = figures.map((f) => {
    const ok = meets(f);
    return [
      f.name,
      Number.isInteger(f.value) ? String(f.value) : f.value.toFixed(f.value < 10 ? 2 : 1),
      f.unit,
      f.target ? `${f.target.op} ${f.target.value}` : '',
      ok === undefined ? '' : ok ? 'met' : 'MISSED',
      f.note ?? ''
    ];
  });
  const head = ['figure', 'value', 'unit', 'target', '', 'note'];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (r: string[]) => '  ' + r.map((c, i) => (i === 1 ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join('  ');
  return [line(head), '  ' + widths.map((w) => '─'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

await mkdir(path.join(dir, 'results'), { recursive: true });
let missed = 0;
for (const name of wanted.length ? wanted : available) {
  const mod = (await import(pathToFileURL(path.join(dir, `${name}.bench.ts`)).href)) as { default: Benchmark };
  const bench = mod.default;
  process.stdout.write(`\n▶ ${name}: ${bench.description}\n`);
  const started = Date.now();
  const figures = await bench.run(context(name));
  process.stdout.write(`${table(figures)}\n`);
  missed += figures.filter((f) => meets(f) === false).length;
  const result = { name, description: bench.description, ranAt: new Date().toISOString(), seconds: (Date.now() - started) / 1000, machine: { cores: (await import('node:os')).cpus().length, node: process.version }, figures };
  await writeFile(path.join(dir, 'results', `${name}.json`), JSON.stringify(result, null, 2) + '\n');
  process.stdout.write(`  written bench/results/${name}.json\n`);
}
if (missed) process.stdout.write(`\n${missed} figure(s) missed their target\n`);
