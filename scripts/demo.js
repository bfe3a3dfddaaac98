// `npm run demo`: the control tower on a fresh data directory of its own.
// The simulated distribution network is not built yet (issue: simulated network);
// until it is, the demo says so plainly instead of pretending.
import { rmSync } from 'node:fs';
import { spawn } from 'node:child_process';

const dataDir = process.env.DATA_DIR || '.data/demo';
rmSync(dataDir, { recursive: true, force: true });
process.stdout.write(
  [
    '',
    '  ┌──────────────────────────────────────────────────────────────────┐',
    '  │ opstower demo: fresh data directory ' + dataDir.padEnd(29) + '│',
    '  │ The simulated distribution network is not built yet: the tower  │',
    '  │ runs empty. Orders, stock and alerts arrive with the simulator.  │',
    '  └──────────────────────────────────────────────────────────────────┘',
    ''
  ].join('\n') + '\n'
);
const child = spawn(process.execPath, ['server.js'], { stdio: 'inherit', env: { ...process.env, DATA_DIR: dataDir } });
for (const sig of /** @type {const} */ (['SIGINT', 'SIGTERM'])) process.on(sig, () => child.kill(sig));
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
