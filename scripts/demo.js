// `npm run demo`: the control tower on a fresh data directory of its own, with the
// simulated distribution network: 90 days of history, then live operations
// (SIMULATOR=demo). The URL and a login per role are printed; Ctrl-C stops it all.
import { rmSync } from 'node:fs';
import { spawn } from 'node:child_process';

const dataDir = process.env.DATA_DIR || '.data/demo';
rmSync(dataDir, { recursive: true, force: true });
process.stdout.write(`\n  opstower demo: fresh data directory ${dataDir}; writing the network and 90 days of history…\n\n`);
const child = spawn(process.execPath, ['server.js'], { stdio: 'inherit', env: { ...process.env, DATA_DIR: dataDir, SIMULATOR: 'demo' } });
for (const sig of /** @type {const} */ (['SIGINT', 'SIGTERM'])) process.on(sig, () => child.kill(sig));
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
