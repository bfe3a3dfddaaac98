import type { Progress } from './network-writer';

/**
 * A progress bar for a terminal: `[##########··········]  50% writing stock_moves`,
 * redrawn in place on a TTY (at most every 100 ms, and on each new step); on
 * anything else (a log file, CI) one line per step, so logs stay short. Pass it
 * as the `progress` of writeNetwork or writeHistory.
 */
export function terminalProgress(stream: NodeJS.WriteStream = process.stderr, width = 30): Progress {
  let lastLabel = '';
  let lastDraw = 0;
  let lastStep = '';
  return (label, fraction) => {
    const f = Math.min(1, Math.max(0, fraction));
    const filled = Math.round(f * width);
    const line = `[${'#'.repeat(filled)}${'·'.repeat(width - filled)}] ${String(Math.floor(f * 100)).padStart(3)}% ${label}`;
    // "simulating 2026-01-05" and "simulating 2026-01-06" are one step.
    const step = label.replace(/\s\d{4}-\d{2}-\d{2}$/, '');
    if (stream.isTTY) {
      const now = Date.now();
      if (label === lastLabel && now - lastDraw < 100 && f < 1) return;
      if (step === lastStep && now - lastDraw < 100 && f < 1) return;
      stream.write(`\r${line.padEnd(lastLabel ? lastLabel.length + width + 8 : 0)}${f >= 1 ? '\n' : ''}`);
      lastDraw = now;
    } else if (step !== lastStep || f >= 1) stream.write(`${line}\n`);
    lastLabel = label;
    lastStep = step;
  };
}
