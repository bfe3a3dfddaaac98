import { describe, expect, it } from 'vitest';
import { CONFIG_VARIABLES, ConfigError, loadConfig } from './config';

describe('loadConfig', () => {
  it('applies the embedded defaults when nothing is set', () => {
    const c = loadConfig({});
    expect(c).toMatchObject({ NODE_ENV: 'production', HOST: '0.0.0.0', PORT: 3000, DATA_DIR: '.data', LOG_LEVEL: 'info' });
    expect(c.DATABASE_URL).toBeUndefined();
    expect(c.CLICKHOUSE_URL).toBeUndefined();
  });

  it('accepts production URLs', () => {
    const c = loadConfig({ DATABASE_URL: 'postgres://ops:pw@db:5432/opstower', CLICKHOUSE_URL: 'http://default:pw@ch:8123/opstower', PORT: '8080' });
    expect(c.DATABASE_URL).toBe('postgres://ops:pw@db:5432/opstower');
    expect(c.CLICKHOUSE_URL).toBe('http://default:pw@ch:8123/opstower');
    expect(c.PORT).toBe(8080);
  });

  it('treats an empty variable as unset', () => {
    expect(loadConfig({ DATABASE_URL: '' }).DATABASE_URL).toBeUndefined();
  });

  it.each([
    ['DATABASE_URL', 'nonsense', /DATABASE_URL="nonsense" is not a PostgreSQL URL; expected postgres:\/\//],
    ['CLICKHOUSE_URL', 'tcp://ch:9000', /CLICKHOUSE_URL="tcp:\/\/ch:9000" is not an HTTP URL; expected http:\/\//],
    ['PORT', 'eighty', /PORT="eighty" is not a number; expected a TCP port 1-65535/],
    ['PORT', '70000', /PORT="70000" is above 65535/],
    ['LOG_LEVEL', 'loud', /LOG_LEVEL="loud" is not a log level/],
    ['NODE_ENV', 'staging', /NODE_ENV="staging" is not a known environment/],
    ['ALERT_SHIPPING_IDLE_MINUTES', '0', /ALERT_SHIPPING_IDLE_MINUTES="0" is below 1; expected minutes without a shipment while orders wait, e\.g\. 150/],
    ['ALERT_SHIPPING_IDLE_MINUTES', 'soon', /ALERT_SHIPPING_IDLE_MINUTES="soon" is not a number; expected minutes/]
  ])('refuses %s=%s with one line naming the variable', (name, value, expected) => {
    let error: unknown;
    try {
      loadConfig({ [name]: value });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const message = (error as Error).message;
    expect(message).toMatch(expected);
    expect(message).not.toContain('\n');
  });

  it('never repeats a password in its message', () => {
    expect(() => loadConfig({ DATABASE_URL: 'mysql://ops:s3cret@db/x' })).toThrow(/ops:\*\*\*@db/);
    expect(() => loadConfig({ DATABASE_URL: 'mysql://ops:s3cret@db/x' })).not.toThrow(/s3cret/);
  });

  it('reads the shipping stall threshold in minutes, 150 unless set', () => {
    expect(loadConfig({}).ALERT_SHIPPING_IDLE_MINUTES).toBe(150);
    expect(loadConfig({ ALERT_SHIPPING_IDLE_MINUTES: '45' }).ALERT_SHIPPING_IDLE_MINUTES).toBe(45);
  });

  it('lists every variable it reads', () => {
    expect(CONFIG_VARIABLES).toEqual(
      expect.arrayContaining(['DATABASE_URL', 'CLICKHOUSE_URL', 'DATA_DIR', 'PORT', 'HOST', 'LOG_LEVEL', 'NODE_ENV', 'ORIGIN'])
    );
  });
});

describe('bootstrap admin variables', () => {
  it('go together', () => {
    expect(() => loadConfig({ ADMIN_EMAIL: 'ops@example.com' })).toThrow(/ADMIN_PASSWORD=\(unset\) is unset; ADMIN_EMAIL and ADMIN_PASSWORD are set together/);
    expect(loadConfig({ ADMIN_EMAIL: 'Ops@Example.com', ADMIN_PASSWORD: 'a long password' }).ADMIN_EMAIL).toBe('ops@example.com');
  });
  it('never echo the password', () => {
    expect(() => loadConfig({ ADMIN_EMAIL: 'ops@example.com', ADMIN_PASSWORD: 'short' })).toThrow(/ADMIN_PASSWORD="\*\*\*" is shorter than 12 characters/);
  });
});
