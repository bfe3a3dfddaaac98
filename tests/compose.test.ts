import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { CONFIG_VARIABLES, loadConfig } from '../schemas/config';

// Docker does not run on this machine, so the compose file is checked by reading it.
interface Service {
  image?: string;
  build?: string;
  command?: string[];
  environment?: Record<string, string>;
  healthcheck?: { test: string[] };
  volumes?: string[];
  depends_on?: Record<string, { condition: string }>;
}
const compose = parse(readFileSync('docker-compose.yml', 'utf8')) as { services: Record<string, Service>; volumes: Record<string, unknown> };
const services = compose.services;

/** Compose's ${VAR:?message} interpolation, with a stand-in secret. */
function interpolate(value: string): string {
  return String(value).replace(/\$\{(\w+)(:?[?-][^}]*)?\}/g, (_, name: string) => `secret-${name.toLowerCase()}`);
}

describe('docker-compose.yml', () => {
  it('has every service the control tower needs', () => {
    expect(Object.keys(services).sort()).toEqual(['app', 'clickhouse', 'ingest', 'postgres']);
    expect(services.postgres!.image).toMatch(/^postgres:1[89]/);
    expect(services.clickhouse!.image).toMatch(/^clickhouse\/clickhouse-server:/);
  });

  it('runs PostgreSQL with wal_level=logical', () => {
    expect(services.postgres!.command!.join(' ')).toContain('wal_level=logical');
  });

  it('gives the databases healthchecks and volumes, and the app and ingest wait for them', () => {
    for (const name of ['postgres', 'clickhouse']) {
      expect(services[name]!.healthcheck?.test.length).toBeGreaterThan(0);
      const volume = services[name]!.volumes![0]!.split(':')[0]!;
      expect(compose.volumes).toHaveProperty(volume);
    }
    for (const name of ['app', 'ingest']) {
      expect(services[name]!.depends_on).toEqual({
        postgres: { condition: 'service_healthy' },
        clickhouse: { condition: 'service_healthy' }
      });
    }
  });

  it('builds app and ingest from the one Dockerfile, as separate processes', () => {
    expect(services.app!.build).toBe('.');
    expect(services.ingest!.build).toBe('.');
    expect(services.app!.command).toEqual(['node', 'server.js']);
    expect(services.ingest!.command).toEqual(['npm', 'run', 'ingest']);
    const scripts = JSON.parse(readFileSync('package.json', 'utf8')).scripts;
    expect(scripts).toHaveProperty('ingest');
  });

  it.each(['app', 'ingest'])('sets on %s only variables the config schema accepts, with valid values', (name) => {
    const env = services[name]!.environment!;
    for (const key of Object.keys(env)) expect(CONFIG_VARIABLES).toContain(key);
    const config = loadConfig(Object.fromEntries(Object.entries(env).map(([k, v]) => [k, interpolate(v)])));
    expect(new URL(config.DATABASE_URL!).hostname).toBe('postgres');
    expect(new URL(config.CLICKHOUSE_URL!).hostname).toBe('clickhouse');
    expect(config.NODE_ENV).toBe('production');
  });

  it('keeps secrets out of the file', () => {
    const text = readFileSync('docker-compose.yml', 'utf8');
    const passwords = [...text.matchAll(/^\s*\w*PASSWORD:\s*(.+?)\s*$/gm), ...text.matchAll(/:\/\/\w+:([^@\n]+)@/g)].map((m) => m[1]);
    expect(passwords.length).toBeGreaterThanOrEqual(6);
    for (const value of passwords) expect(value).toMatch(/^\$\{\w+:\?[^}]*\}$/);
  });
});
