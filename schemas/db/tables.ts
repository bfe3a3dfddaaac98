// Drizzle table definitions of the Postgres core, one module per business area.
export * from './master-data';
