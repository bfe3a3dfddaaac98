import { describe, expect, it } from 'vitest';
import { PgoutputDecodeError, PgoutputDecoder, UNCHANGED_TOAST, type PgoutputMessage, type Relation } from './pgoutput-decoder';
import { parseLsn } from './lsn';

/**
 * Hand-built pgoutput v1 messages, byte for byte as the protocol documents them
 * (https://www.postgresql.org/docs/current/protocol-logicalrep-message-formats.html).
 */
class Msg {
  readonly #parts: Buffer[] = [];
  constructor(tag: string) {
    this.byte(tag.charCodeAt(0));
  }
  byte(v: number): this {
    this.#parts.push(Buffer.from([v]));
    return this;
  }
  char(c: string): this {
    return this.byte(c.charCodeAt(0));
  }
  int16(v: number): this {
    const b = Buffer.alloc(2);
    b.writeUInt16BE(v);
    this.#parts.push(b);
    return this;
  }
  int32(v: number): this {
    const b = Buffer.alloc(4);
    b.writeInt32BE(v);
    this.#parts.push(b);
    return this;
  }
  int64(v: bigint): this {
    const b = Buffer.alloc(8);
    b.writeBigInt64BE(v);
    this.#parts.push(b);
    return this;
  }
  cstring(s: string): this {
    this.#parts.push(Buffer.from(`${s}\0`, 'utf8'));
    return this;
  }
  /** TupleData: a string is a text value, null is NULL, 'u' marks an unchanged TOAST value. */
  tuple(values: (string | null | { unchanged: true })[]): this {
    this.int16(values.length);
    for (const v of values) {
      if (v === null) this.char('n');
      else if (typeof v === 'object') this.char('u');
      else {
        const bytes = Buffer.from(v, 'utf8');
        this.char('t').int32(bytes.length);
        this.#parts.push(bytes);
      }
    }
    return this;
  }
  raw(b: Buffer): this {
    this.#parts.push(b);
    return this;
  }
  get buffer(): Buffer {
    return Buffer.concat(this.#parts);
  }
}

const unchanged = { unchanged: true } as const;
const PG_EPOCH_MICROS = 946_684_800_000_000n;
// 2026-11-22 21:18:05.123456 UTC, in microseconds after the Unix epoch.
const COMMIT_MICROS = BigInt(Date.UTC(2026, 10, 22, 21, 18, 5, 123)) * 1000n + 456n;
const ORDERS_OID = 16_400;

/** Relation "public.orders" (id int4 key, status text, note text). */
function ordersRelation(identity = 'd'): Buffer {
  return new Msg('R')
    .int32(ORDERS_OID)
    .cstring('public')
    .cstring('orders')
    .char(identity)
    .int16(3)
    .byte(1).cstring('id').int32(23).int32(-1)
    .byte(0).cstring('status').int32(25).int32(-1)
    .byte(0).cstring('note').int32(25).int32(-1).buffer;
}

function decoderWithOrders(): { d: PgoutputDecoder; relation: Relation } {
  const d = new PgoutputDecoder();
  const m = d.decode(ordersRelation());
  if (m.tag !== 'relation') throw new Error('expected a relation');
  return { d, relation: m.relation };
}

const tagged = <T extends PgoutputMessage['tag']>(m: PgoutputMessage, tag: T) => {
  expect(m.tag).toBe(tag);
  return m as Extract<PgoutputMessage, { tag: T }>;
};

describe('pgoutput decoder', () => {
  it('decodes begin: final LSN, commit time moved to the Unix epoch, xid', () => {
    const buf = new Msg('B').int64(parseLsn('1/2A')).int64(COMMIT_MICROS - PG_EPOCH_MICROS).int32(987_654).buffer;
    expect(new PgoutputDecoder().decode(buf)).toEqual({ tag: 'begin', finalLsn: parseLsn('1/2A'), commitTime: COMMIT_MICROS, xid: 987_654 });
  });

  it('decodes a transaction id above 2^31 as unsigned', () => {
    const buf = new Msg('B').int64(1n).int64(0n).int32(-1).buffer;
    expect(tagged(new PgoutputDecoder().decode(buf), 'begin').xid).toBe(4_294_967_295);
  });

  it('decodes commit: commit LSN, end LSN, commit time', () => {
    const buf = new Msg('C').byte(0).int64(parseLsn('1/2A')).int64(parseLsn('1/58')).int64(COMMIT_MICROS - PG_EPOCH_MICROS).buffer;
    expect(new PgoutputDecoder().decode(buf)).toEqual({ tag: 'commit', commitLsn: parseLsn('1/2A'), endLsn: parseLsn('1/58'), commitTime: COMMIT_MICROS });
  });

  it('decodes a relation with its key flags, type oids and typmods, and remembers it', () => {
    const d = new PgoutputDecoder();
    const numeric = new Msg('R')
      .int32(77)
      .cstring('public')
      .cstring('prices')
      .char('f')
      .int16(2)
      .byte(1).cstring('sku').int32(25).int32(-1)
      .byte(0).cstring('amount').int32(1700).int32(((12 << 16) | 2) + 4).buffer;
    const relation = tagged(d.decode(numeric), 'relation').relation;
    expect(relation).toEqual({
      oid: 77,
      schema: 'public',
      name: 'prices',
      replicaIdentity: 'full',
      columns: [
        { name: 'sku', typeOid: 25, typeMod: -1, isKey: true },
        { name: 'amount', typeOid: 1700, typeMod: 786_438, isKey: false }
      ]
    });
    expect(d.relation(77)).toBe(relation);
    for (const [byte, identity] of [['d', 'default'], ['n', 'nothing'], ['i', 'index']] as const) {
      expect(tagged(new PgoutputDecoder().decode(ordersRelation(byte)), 'relation').relation.replicaIdentity).toBe(identity);
    }
    expect(() => new PgoutputDecoder().decode(ordersRelation('x'))).toThrow(PgoutputDecodeError);
  });

  it('decodes an insert: raw text values in column order, NULL as null, multi-byte UTF-8 intact', () => {
    const { d, relation } = decoderWithOrders();
    const buf = new Msg('I').int32(ORDERS_OID).char('N').tuple(['42', 'naïve € "quoted"\ttab', null]).buffer;
    const m = tagged(d.decode(buf), 'insert');
    expect(m.relation).toBe(relation);
    expect(m.newTuple).toEqual(['42', 'naïve € "quoted"\ttab', null]);
  });

  it('decodes an update without an old tuple', () => {
    const { d } = decoderWithOrders();
    const m = tagged(d.decode(new Msg('U').int32(ORDERS_OID).char('N').tuple(['42', 'packed', 'x']).buffer), 'update');
    expect(m).toMatchObject({ oldTuple: null, oldIsKeyOnly: false, newTuple: ['42', 'packed', 'x'] });
  });

  it('decodes an update with the old key (K) when the key changed', () => {
    const { d } = decoderWithOrders();
    const buf = new Msg('U').int32(ORDERS_OID).char('K').tuple(['41', null, null]).char('N').tuple(['42', 'packed', null]).buffer;
    const m = tagged(d.decode(buf), 'update');
    expect(m).toMatchObject({ oldTuple: ['41', null, null], oldIsKeyOnly: true, newTuple: ['42', 'packed', null] });
  });

  it('decodes an update with the full old tuple (O, replica identity full)', () => {
    const { d } = decoderWithOrders();
    const buf = new Msg('U').int32(ORDERS_OID).char('O').tuple(['42', 'new', 'long text']).char('N').tuple(['42', 'packed', unchanged]).buffer;
    const m = tagged(d.decode(buf), 'update');
    expect(m.oldIsKeyOnly).toBe(false);
    expect(m.oldTuple).toEqual(['42', 'new', 'long text']);
    expect(m.newTuple).toEqual(['42', 'packed', UNCHANGED_TOAST]);
  });

  it("marks an unchanged TOAST value ('u') with UNCHANGED_TOAST, distinct from NULL", () => {
    const { d } = decoderWithOrders();
    const m = tagged(d.decode(new Msg('U').int32(ORDERS_OID).char('N').tuple(['42', unchanged, null]).buffer), 'update');
    expect(m.newTuple[1]).toBe(UNCHANGED_TOAST);
    expect(m.newTuple[2]).toBeNull();
  });

  it('refuses an update without a new tuple', () => {
    const { d } = decoderWithOrders();
    expect(() => d.decode(new Msg('U').int32(ORDERS_OID).char('K').tuple(['41', null, null]).char('X').buffer)).toThrow(PgoutputDecodeError);
  });

  it('decodes a key-only delete (K) and a full-row delete (O)', () => {
    const { d, relation } = decoderWithOrders();
    const keyOnly = tagged(d.decode(new Msg('D').int32(ORDERS_OID).char('K').tuple(['42', null, null]).buffer), 'delete');
    expect(keyOnly).toEqual({ tag: 'delete', relation, oldTuple: ['42', null, null], oldIsKeyOnly: true });
    const full = tagged(d.decode(new Msg('D').int32(ORDERS_OID).char('O').tuple(['42', 'packed', 'n']).buffer), 'delete');
    expect(full).toMatchObject({ oldTuple: ['42', 'packed', 'n'], oldIsKeyOnly: false });
    expect(() => d.decode(new Msg('D').int32(ORDERS_OID).char('N').tuple(['42', null, null]).buffer)).toThrow(/delete: unexpected tuple kind/);
  });

  it('decodes truncate with its relations and options', () => {
    const { d, relation } = decoderWithOrders();
    d.decode(new Msg('R').int32(9).cstring('public').cstring('lines').char('d').int16(1).byte(1).cstring('id').int32(23).int32(-1).buffer);
    const m = tagged(d.decode(new Msg('T').int32(2).byte(3).int32(ORDERS_OID).int32(9).buffer), 'truncate');
    expect(m.relations.map((r) => r.name)).toEqual(['orders', 'lines']);
    expect(m.relations[0]).toBe(relation);
    expect(m).toMatchObject({ cascade: true, restartIdentity: true });
    expect(tagged(d.decode(new Msg('T').int32(1).byte(0).int32(9).buffer), 'truncate')).toMatchObject({ cascade: false, restartIdentity: false });
  });

  it('decodes a logical message (pg_logical_emit_message): flags, LSN, prefix, UTF-8 content', () => {
    const content = Buffer.from('{"actor":"Zoë","action":"order.pick"}', 'utf8');
    const buf = new Msg('M').byte(1).int64(parseLsn('0/16B3748')).cstring('opstower.audit').int32(content.length).raw(content).buffer;
    expect(new PgoutputDecoder().decode(buf)).toEqual({
      tag: 'message',
      transactional: true,
      lsn: parseLsn('0/16B3748'),
      prefix: 'opstower.audit',
      content: '{"actor":"Zoë","action":"order.pick"}'
    });
    const plain = new Msg('M').byte(0).int64(1n).cstring('p').int32(0).buffer;
    expect(new PgoutputDecoder().decode(plain)).toMatchObject({ transactional: false, content: '' });
  });

  it('decodes type and origin messages', () => {
    const d = new PgoutputDecoder();
    expect(d.decode(new Msg('Y').int32(16_500).cstring('public').cstring('order_status').buffer)).toEqual({ tag: 'type', typeOid: 16_500, schema: 'public', name: 'order_status' });
    expect(d.decode(new Msg('O').int64(5n).cstring('node_a').buffer)).toEqual({ tag: 'origin', name: 'node_a' });
  });

  it('refuses an unknown message type, naming the byte', () => {
    expect(() => new PgoutputDecoder().decode(Buffer.from('Z\0\0\0\0'))).toThrow(PgoutputDecodeError);
    expect(() => new PgoutputDecoder().decode(Buffer.from('Z'))).toThrow('unknown pgoutput message type 0x5a');
  });

  it('refuses a row for a relation it has not been told about', () => {
    const d = new PgoutputDecoder();
    expect(() => d.decode(new Msg('I').int32(123).char('N').tuple(['1']).buffer)).toThrow(/relation 123 before its relation message/);
  });

  it('refuses binary values (the ingest asks for text) and a malformed string', () => {
    const { d } = decoderWithOrders();
    const binary = new Msg('I').int32(ORDERS_OID).char('N').int16(1).char('b').int32(1).byte(0).buffer;
    expect(() => d.decode(binary)).toThrow(/unexpected value kind/);
    expect(() => d.decode(new Msg('I').int32(ORDERS_OID).char('K').tuple(['1']).buffer)).toThrow(PgoutputDecodeError);
    expect(() => new PgoutputDecoder().decode(Buffer.from('Y\0\0\0\x01unterminated'))).toThrow(/unterminated string/);
  });
});
