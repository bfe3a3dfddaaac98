import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as catalog from '../../app/lib/server/core/catalog';
import { coreFixture, type CoreFixture } from '../support/core';

let f: CoreFixture;
let client: pg.Client;
const slot = `audit_${process.pid}`;

beforeAll(async () => {
  f = await coreFixture();
  client = new pg.Client({ connectionString: f.url });
  await client.connect();
  await client.query(`SELECT pg_create_logical_replication_slot($1, 'test_decoding')`, [slot]);
});
afterAll(async () => {
  await client.query('SELECT pg_drop_replication_slot($1)', [slot]);
  await client.end();
});

describe('audit in the WAL', () => {
  it('emits the actor and action in the same transaction as the change', async () => {
    const actor = f.actorFor('planner');
    await catalog.createRegion(f.db, actor, { code: 'S', name: 'South' });
    const { rows } = await client.query<{ xid: string; data: string }>(`SELECT xid::text, data FROM pg_logical_slot_get_changes($1, NULL, NULL)`, [slot]);
    const message = rows.find((r) => r.data.includes('prefix: opstower.audit'));
    expect(message?.data).toContain('"action":"catalog.createRegion"');
    expect(message?.data).toContain(`"actorId":${f.users.planner.id}`);
    expect(message?.data).toContain('transactional: 1');
    const insert = rows.find((r) => r.data.startsWith('table public.regions: INSERT'));
    expect(insert?.data).toContain("code[text]:'S'");
    expect(insert!.xid).toBe(message!.xid);
  });

  it('emits nothing for a transaction that fails', async () => {
    await expect(catalog.createRegion(f.db, f.actorFor('planner'), { code: 'S', name: 'Again' })).rejects.toMatchObject({ code: 'CONFLICT' });
    const { rows } = await client.query<{ data: string }>(`SELECT data FROM pg_logical_slot_get_changes($1, NULL, NULL)`, [slot]);
    expect(rows.filter((r) => r.data.includes('opstower.audit'))).toEqual([]);
  });
});
