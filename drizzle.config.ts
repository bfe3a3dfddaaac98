import { defineConfig } from 'drizzle-kit';

// `npm run db:generate` writes a new SQL migration from the table definitions;
// the app applies pending migrations at start (schemas/db/migrate.ts).
export default defineConfig({
  dialect: 'postgresql',
  schema: './schemas/db/tables.ts',
  out: './schemas/db/migrations',
  strict: true,
  verbose: true
});
