import { defineConfig } from 'vitest/config';
import base from './vitest.config';

// `npm run demo`'s 60 s promise is about a machine running the demo, so its test runs
// after the others, alone, rather than beside test files that load both cores.
export default defineConfig({ ...base, test: { ...base.test, include: ['tests/demo.test.ts'], exclude: ['node_modules/**'] } });
