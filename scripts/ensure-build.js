// Builds the app when build/ is missing or older than its sources, so that
// `npm start` after `npm install` (or after a pull) serves the current code.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import path from 'node:path';

const SOURCES = ['app', 'schemas', 'platform', 'warehouse', 'ingest', 'svelte.config.js', 'vite.config.ts', 'package.json'];
const MARKER = 'build/handler.js';

/**
 * @param {string} p
 * @returns {number} newest modification time under p
 */
function newest(p) {
  if (!existsSync(p)) return 0;
  const s = statSync(p);
  if (!s.isDirectory()) return s.mtimeMs;
  return readdirSync(p).reduce((/** @type {number} */ m, name) => Math.max(m, newest(path.join(p, name))), s.mtimeMs);
}

if (!existsSync(MARKER) || statSync(MARKER).mtimeMs < Math.max(...SOURCES.map(newest))) {
  process.stdout.write('opstower: building the app (first start or sources changed)…\n');
  execFileSync(process.execPath, ['node_modules/vite/bin/vite.js', 'build', '--logLevel', 'warn'], { stdio: 'inherit' });
}
