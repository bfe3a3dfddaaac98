import type { BackfillProgress } from './backfill';

/** A one-line text progress bar for the backfill, redrawn in place on a terminal. */
export function renderProgress(p: BackfillProgress, width = 30): string {
  const ratio = p.total > 0 ? Math.min(1, p.copied / p.total) : p.done ? 1 : 0;
  const filled = Math.round(ratio * width);
  const fmt = new Intl.NumberFormat('en');
  return `backfill ${p.table.padEnd(24)} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${String(Math.round(ratio * 100)).padStart(3)}%  ${fmt.format(p.copied)}/${fmt.format(p.total)} rows`;
}

/** Writes progress to a stream: in place on a TTY; otherwise a line per finished table and per tenth of a large one. */
export function progressPrinter(out: NodeJS.WriteStream): (p: BackfillProgress) => void {
  let lastTenth = -1;
  let lastTable = '';
  return (p) => {
    const line = renderProgress(p);
    if (out.isTTY) {
      out.write(`\r${line}${p.done ? '\n' : ''}`);
      return;
    }
    const tenth = p.total > 0 ? Math.floor((p.copied / p.total) * 10) : 10;
    if (p.table !== lastTable) lastTenth = -1;
    if (p.done || (p.total >= 10_000 && tenth !== lastTenth)) out.write(`${line}\n`);
    lastTable = p.table;
    lastTenth = tenth;
  };
}
