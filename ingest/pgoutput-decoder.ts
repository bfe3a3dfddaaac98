import { readLsn, type Lsn } from './lsn';

/**
 * Decoder of pgoutput (protocol version 1) messages into raw text tuples.
 *
 * Written here rather than taking pg-logical-replication's parser because that one
 * converts every value through pg-types (timestamps lose their microseconds, int8
 * and numeric change shape) and turns an unchanged TOAST value into `undefined`
 * when no old tuple came along. The ingest needs each value exactly as
 * PostgreSQL's output function wrote it, in column order, and must know when a
 * value was not sent. Format: https://www.postgresql.org/docs/current/protocol-logicalrep-message-formats.html
 */

/** A TOASTed value that an UPDATE did not change: PostgreSQL does not resend it. */
export const UNCHANGED_TOAST: unique symbol = Symbol('unchanged TOAST value');
export type TupleValue = string | null | typeof UNCHANGED_TOAST;
export type Tuple = TupleValue[];

export interface RelationColumn {
  name: string;
  typeOid: number;
  typeMod: number;
  /** Part of the replica identity (the primary key by default). */
  isKey: boolean;
}

export interface Relation {
  oid: number;
  schema: string;
  name: string;
  replicaIdentity: 'default' | 'nothing' | 'full' | 'index';
  columns: RelationColumn[];
}

/** Microseconds since the Unix epoch, as PostgreSQL keeps timestamps. */
export type Micros = bigint;

export type PgoutputMessage =
  | { tag: 'begin'; finalLsn: Lsn; commitTime: Micros; xid: number }
  | { tag: 'commit'; commitLsn: Lsn; endLsn: Lsn; commitTime: Micros }
  | { tag: 'relation'; relation: Relation }
  | { tag: 'type'; typeOid: number; schema: string; name: string }
  | { tag: 'origin'; name: string }
  | { tag: 'insert'; relation: Relation; newTuple: Tuple }
  | { tag: 'update'; relation: Relation; oldTuple: Tuple | null; oldIsKeyOnly: boolean; newTuple: Tuple }
  | { tag: 'delete'; relation: Relation; oldTuple: Tuple; oldIsKeyOnly: boolean }
  | { tag: 'truncate'; relations: Relation[]; cascade: boolean; restartIdentity: boolean }
  | { tag: 'message'; transactional: boolean; lsn: Lsn; prefix: string; content: string };

// PostgreSQL's epoch (2000-01-01) in microseconds after the Unix epoch.
const PG_EPOCH_MICROS = 946_684_800_000_000n;

const IDENTITY: Record<number, Relation['replicaIdentity']> = { 0x64: 'default', 0x6e: 'nothing', 0x66: 'full', 0x69: 'index' };

export class PgoutputDecodeError extends Error {
  override name = 'PgoutputDecodeError';
}

export class PgoutputDecoder {
  readonly #relations = new Map<number, Relation>();
  #buf: Buffer = Buffer.alloc(0);
  #pos = 0;

  relation(oid: number): Relation | undefined {
    return this.#relations.get(oid);
  }

  decode(buf: Buffer): PgoutputMessage {
    this.#buf = buf;
    this.#pos = 1;
    switch (buf[0]) {
      case 0x42 /* B */:
        return { tag: 'begin', finalLsn: this.#lsn(), commitTime: this.#time(), xid: this.#uint32() };
      case 0x43 /* C */: {
        this.#pos += 1; // flags, unused
        return { tag: 'commit', commitLsn: this.#lsn(), endLsn: this.#lsn(), commitTime: this.#time() };
      }
      case 0x52 /* R */:
        return this.#relationMessage();
      case 0x59 /* Y */:
        return { tag: 'type', typeOid: this.#uint32(), schema: this.#cstring(), name: this.#cstring() };
      case 0x4f /* O */:
        this.#pos += 8;
        return { tag: 'origin', name: this.#cstring() };
      case 0x49 /* I */: {
        const relation = this.#knownRelation(this.#uint32());
        this.#expect(0x4e);
        return { tag: 'insert', relation, newTuple: this.#tuple() };
      }
      case 0x55 /* U */:
        return this.#update();
      case 0x44 /* D */: {
        const relation = this.#knownRelation(this.#uint32());
        const kind = this.#buf[this.#pos++];
        if (kind !== 0x4b && kind !== 0x4f) throw new PgoutputDecodeError(`delete: unexpected tuple kind ${kind}`);
        return { tag: 'delete', relation, oldTuple: this.#tuple(), oldIsKeyOnly: kind === 0x4b };
      }
      case 0x54 /* T */: {
        const count = this.#uint32();
        const flags = this.#buf[this.#pos++];
        const relations = Array.from({ length: count }, () => this.#knownRelation(this.#uint32()));
        return { tag: 'truncate', relations, cascade: (flags & 1) !== 0, restartIdentity: (flags & 2) !== 0 };
      }
      case 0x4d /* M */: {
        const flags = this.#buf[this.#pos++];
        const lsn = this.#lsn();
        const prefix = this.#cstring();
        const length = this.#uint32();
        const content = this.#buf.toString('utf8', this.#pos, this.#pos + length);
        this.#pos += length;
        return { tag: 'message', transactional: (flags & 1) !== 0, lsn, prefix, content };
      }
      default:
        throw new PgoutputDecodeError(`unknown pgoutput message type 0x${(buf[0] ?? 0).toString(16)}`);
    }
  }

  #update(): PgoutputMessage {
    const relation = this.#knownRelation(this.#uint32());
    let kind = this.#buf[this.#pos++];
    let oldTuple: Tuple | null = null;
    let oldIsKeyOnly = false;
    if (kind === 0x4b || kind === 0x4f) {
      oldIsKeyOnly = kind === 0x4b;
      oldTuple = this.#tuple();
      kind = this.#buf[this.#pos++];
    }
    if (kind !== 0x4e) throw new PgoutputDecodeError(`update: unexpected tuple kind ${kind}`);
    return { tag: 'update', relation, oldTuple, oldIsKeyOnly, newTuple: this.#tuple() };
  }

  #relationMessage(): PgoutputMessage {
    const oid = this.#uint32();
    const schema = this.#cstring();
    const name = this.#cstring();
    const replicaIdentity = IDENTITY[this.#buf[this.#pos++]!];
    if (!replicaIdentity) throw new PgoutputDecodeError(`relation ${name}: unknown replica identity`);
    const count = this.#buf.readUInt16BE(this.#pos);
    this.#pos += 2;
    const columns: RelationColumn[] = [];
    for (let i = 0; i < count; i++) {
      const flags = this.#buf[this.#pos++]!;
      const colName = this.#cstring();
      const typeOid = this.#uint32();
      const typeMod = this.#buf.readInt32BE(this.#pos);
      this.#pos += 4;
      columns.push({ name: colName, typeOid, typeMod, isKey: (flags & 1) !== 0 });
    }
    const relation: Relation = { oid, schema, name, replicaIdentity, columns };
    this.#relations.set(oid, relation);
    return { tag: 'relation', relation };
  }

  #tuple(): Tuple {
    const buf = this.#buf;
    const count = buf.readUInt16BE(this.#pos);
    this.#pos += 2;
    const tuple: Tuple = new Array(count);
    for (let i = 0; i < count; i++) {
      const kind = buf[this.#pos++];
      if (kind === 0x74 /* t */) {
        const length = buf.readUInt32BE(this.#pos);
        this.#pos += 4;
        tuple[i] = buf.toString('utf8', this.#pos, this.#pos + length);
        this.#pos += length;
      } else if (kind === 0x6e /* n */) {
        tuple[i] = null;
      } else if (kind === 0x75 /* u */) {
        tuple[i] = UNCHANGED_TOAST;
      } else {
        // 'b' (binary) is only sent when asked for; the ingest asks for text.
        throw new PgoutputDecodeError(`tuple column ${i}: unexpected value kind ${kind}`);
      }
    }
    return tuple;
  }

  #knownRelation(oid: number): Relation {
    const relation = this.#relations.get(oid);
    // pgoutput always sends a relation before its first row in a session.
    if (!relation) throw new PgoutputDecodeError(`row for relation ${oid} before its relation message`);
    return relation;
  }

  #expect(byte: number): void {
    const got = this.#buf[this.#pos++];
    if (got !== byte) throw new PgoutputDecodeError(`expected ${String.fromCharCode(byte)}, got ${got}`);
  }

  #uint32(): number {
    const v = this.#buf.readUInt32BE(this.#pos);
    this.#pos += 4;
    return v;
  }

  #lsn(): Lsn {
    const v = readLsn(this.#buf, this.#pos);
    this.#pos += 8;
    return v;
  }

  #time(): Micros {
    const v = this.#buf.readBigInt64BE(this.#pos);
    this.#pos += 8;
    return v + PG_EPOCH_MICROS;
  }

  #cstring(): string {
    const end = this.#buf.indexOf(0, this.#pos);
    if (end < 0) throw new PgoutputDecodeError('unterminated string');
    const s = this.#buf.toString('utf8', this.#pos, end);
    this.#pos = end + 1;
    return s;
  }
}
