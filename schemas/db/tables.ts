// Drizzle table definitions of the Postgres core, one module per business area.
export * from './master-data';
export * from './auth';
export * from './ledger';
export * from './sales';
export * from './purchasing';
export * from './transfers';
export * from './returns';
export * from './alerts';
export * from './kiosk';
export * from './business-clock';
