import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['{app,schemas,platform,warehouse,ingest,sim,bench}/**/*.test.ts', 'tests/**/*.test.ts'],
    // tests/demo.test.ts runs on its own afterwards (vitest.demo.config.ts, npm test).
    exclude: ['tests/browser/**', 'tests/demo.test.ts', 'node_modules/**'],
    // chDB binds one data directory per process: every test file gets its own process.
    pool: 'forks',
    globalSetup: ['tests/support/global-postgres.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    reporters: ['default']
  }
});
