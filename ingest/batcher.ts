import { UNCHANGED_TOAST, type Micros, type Tuple } from './pgoutput-decoder';
import type { Lsn } from './lsn';
import type { TableStream } from './table-stream';
import { escapeTsv, fieldOf } from './type-mapping';
import { TouchedKeys } from './touched-keys';

/**
 * Gathers decoded changes into batches: whole transactions, each row's newest
 * image per key (so a row updated ten times in a batch lands once), and one
 * change-log line per change. Pure bookkeeping, no I/O: the pipeline decides
 * when to flush and the sink lands what `take()` returns.
 */

export type Field = string | typeof UNCHANGED_TOAST;

export interface Image {
  /** TSV fields in the relation's column order (unchanged TOAST values still to resolve). */
  fields: Field[];
  deleted: boolean;
  version: Lsn;
  commitTime: string;
}

export interface TableBatch {
  stream: TableStream;
  images: Map<string, Image>;
  /** A TRUNCATE in this batch: every earlier row of the table is tombstoned at this version. */
  truncatedAt?: { version: Lsn; commitTime: string };
}

export interface ChangeLogLine {
  lsn: Lsn;
  position: number;
  tsv: string;
}

export interface Batch {
  tables: Map<string, TableBatch>;
  changeLog: ChangeLogLine[];
  /** End LSN of the last whole transaction in the batch: what may be acknowledged once it lands. */
  ackLsn: Lsn | null;
  lastCommitLsn: Lsn | null;
  firstCommitTime: Micros | null;
  lastCommitTime: Micros | null;
  transactions: number;
  touched: TouchedKeys;
}

interface OpenTransaction {
  lsn: Lsn;
  lsnText: string;
  /** The end of each change-log line, the same for every change of the transaction (built once). */
  tail: string | null;
  commitTime: Micros;
  commitTimeField: string;
  xid: number;
  position: number;
  actorId: string;
  actor: string;
  action: string;
}

/** Microseconds since the epoch -> "YYYY-MM-DD hh:mm:ss.uuuuuu" (UTC). */
export function microsToField(micros: Micros): string {
  const ms = Number(micros / 1000n);
  const iso = new Date(ms).toISOString(); // 2026-11-22T21:18:05.123Z
  const frac = (micros % 1_000_000n).toString().padStart(6, '0');
  return `${iso.slice(0, 10)} ${iso.slice(11, 19)}.${frac}`;
}

/** A relation's column names, also as JSON keys: computed once per relation, not per change (hot path). */
interface Shape {
  names: string[];
  jsonNames: string[];
}
const shapes = new WeakMap<TableStream, Shape>();
function shapeOf(stream: TableStream): Shape {
  let shape = shapes.get(stream);
  if (!shape) {
    const names = stream.relation.columns.map((c) => c.name);
    shapes.set(stream, (shape = { names, jsonNames: names.map(jsonTsv) }));
  }
  return shape;
}

/**
 * A string (or null) as JSON text escaped for a TabSeparated field. JSON.stringify escapes
 * every control character, so only its backslashes need doubling; done per value, the
 * object built from these needs no second pass.
 */
function jsonTsv(value: string | null): string {
  const json = JSON.stringify(value);
  return json.includes('\\') ? json.replace(/\\/g, '\\\\') : json;
}

const OP = { insert: 'insert', update: 'update', delete: 'delete', truncate: 'truncate' } as const;

export class Batcher {
  #batch = Batcher.#empty();
  #rows = 0;
  #open: OpenTransaction | null = null;

  static #empty(): Batch {
    return {
      tables: new Map(),
      changeLog: [],
      ackLsn: null,
      lastCommitLsn: null,
      firstCommitTime: null,
      lastCommitTime: null,
      transactions: 0,
      touched: new TouchedKeys()
    };
  }

  /** Changes held (change-log lines), complete or not. */
  get size(): number {
    return this.#rows;
  }
  get inTransaction(): boolean {
    return this.#open !== null;
  }
  get hasCompleteTransactions(): boolean {
    return this.#batch.transactions > 0;
  }

  begin(lsn: Lsn, commitTime: Micros, xid: number): void {
    this.#open = { lsn, lsnText: String(lsn), tail: null, commitTime, commitTimeField: microsToField(commitTime), xid, position: 0, actorId: '\\N', actor: '', action: '' };
  }

  /** The transaction's audit message (actor and action), emitted by the core in the same transaction. */
  audit(content: string): void {
    const open = this.#requireOpen();
    open.tail = null;
    try {
      const a = JSON.parse(content) as { actorId?: unknown; actor?: unknown; action?: unknown };
      open.actorId = Number.isInteger(a.actorId) ? String(a.actorId) : '\\N';
      open.actor = typeof a.actor === 'string' ? a.actor : '';
      open.action = typeof a.action === 'string' ? a.action : '';
    } catch {
      open.action = content.slice(0, 200); // not JSON: keep what was said, never drop the change
    }
  }

  change(stream: TableStream, op: 'insert' | 'update' | 'delete', newTuple: Tuple | null, oldTuple: Tuple | null, oldIsKeyOnly: boolean): void {
    const open = this.#requireOpen();
    const table = this.#table(stream);
    const shape = shapeOf(stream);
    let pkJson: string;
    if (op === 'delete') {
      const old = oldTuple!;
      const key = this.#key(stream, old);
      table.images.set(key, { fields: this.#tombstone(stream, old), deleted: true, version: open.lsn, commitTime: open.commitTimeField });
      pkJson = this.#pkJson(shape, stream, old);
      this.#batch.touched.addRow(stream.name, shape.names, old);
      this.#batch.touched.addDeleted(stream.name);
    } else {
      const tuple = newTuple!;
      const key = this.#key(stream, tuple);
      if (op === 'update' && oldTuple) {
        const oldKey = this.#key(stream, oldTuple);
        // The key itself changed: the row under the old key is gone.
        if (oldKey !== key) {
          table.images.set(oldKey, { fields: this.#tombstone(stream, oldTuple), deleted: true, version: open.lsn, commitTime: open.commitTimeField });
          this.#batch.touched.addDeleted(stream.name);
        }
      }
      const previous = table.images.get(key);
      const fields: Field[] = new Array(tuple.length);
      for (let i = 0; i < tuple.length; i++) {
        const v = tuple[i];
        if (v === UNCHANGED_TOAST) {
          const fromOld = oldTuple && !oldIsKeyOnly ? oldTuple[i] : undefined;
          if (fromOld !== undefined && fromOld !== UNCHANGED_TOAST) fields[i] = this.#field(stream, oldTuple!, i);
          else fields[i] = previous && !previous.deleted ? previous.fields[i]! : UNCHANGED_TOAST; // else resolved from ClickHouse at flush
        } else {
          fields[i] = this.#field(stream, tuple, i);
        }
      }
      table.images.set(key, { fields, deleted: false, version: open.lsn, commitTime: open.commitTimeField });
      pkJson = this.#pkJson(shape, stream, tuple);
      this.#batch.touched.addRow(stream.name, shape.names, tuple);
    }
    const after = newTuple ? this.#sent(shape, newTuple) : '\\N';
    const beforeTuple = op === 'update' ? oldTuple : op === 'delete' ? oldTuple : null;
    const before = beforeTuple ? this.#sent(shape, beforeTuple) : '\\N';
    this.#line(open, stream.name, pkJson, OP[op], before, after);
  }

  truncate(stream: TableStream): void {
    const open = this.#requireOpen();
    const table = this.#table(stream);
    table.images.clear();
    table.truncatedAt = { version: open.lsn, commitTime: open.commitTimeField };
    this.#batch.touched.addDeleted(stream.name);
    this.#line(open, stream.name, '', OP.truncate, '\\N', '\\N');
  }

  commit(endLsn: Lsn): void {
    const open = this.#requireOpen();
    const b = this.#batch;
    b.ackLsn = endLsn;
    b.lastCommitLsn = open.lsn;
    b.firstCommitTime ??= open.commitTime;
    b.lastCommitTime = open.commitTime;
    b.transactions++;
    this.#open = null;
  }

  /**
   * Hands over what is gathered. Called between transactions, except when one
   * transaction alone outgrows the batch: then its rows so far go too (memory
   * stays bounded), and its commit is acknowledged only with a later batch.
   */
  take(): Batch {
    const b = this.#batch;
    this.#batch = Batcher.#empty();
    this.#rows = 0;
    return b;
  }

  /** Drops everything not yet landed (the stream restarts from the last acknowledged LSN). */
  reset(): void {
    this.#batch = Batcher.#empty();
    this.#rows = 0;
    this.#open = null;
  }

  #line(open: OpenTransaction, table: string, pk: string, op: string, before: string, after: string): void {
    const position = open.position++;
    this.#batch.changeLog.push({
      lsn: open.lsn,
      position,
      tsv: `${table}\t${pk}\t${op}\t${before}\t${after}\t${open.lsnText}\t${position}\t${(open.tail ??= `${open.commitTimeField}\t${open.xid}\t${open.actorId}\t${escapeTsv(open.actor)}\t${escapeTsv(open.action)}\n`)}`
    });
    this.#rows++;
  }

  /** The values PostgreSQL sent, as a JSON object (TSV-escaped). */
  #sent(shape: Shape, tuple: Tuple): string {
    let out = '{';
    for (let i = 0; i < tuple.length; i++) {
      const v = tuple[i];
      if (v === UNCHANGED_TOAST) continue; // not sent by PostgreSQL: left out of the change log
      out += `${out.length > 1 ? ',' : ''}${shape.jsonNames[i]}:${jsonTsv(v ?? null)}`;
    }
    return `${out}}`;
  }

  #pkJson(shape: Shape, stream: TableStream, tuple: Tuple): string {
    let out = '{';
    for (const i of stream.keyPositions) out += `${out.length > 1 ? ',' : ''}${shape.jsonNames[i]}:${jsonTsv(tuple[i] as string | null)}`;
    return `${out}}`;
  }

  /** The row's key in a batch: its key fields joined by \u0001. */
  #key(stream: TableStream, tuple: Tuple): string {
    const positions = stream.keyPositions;
    let key = this.#field(stream, tuple, positions[0]!);
    for (let k = 1; k < positions.length; k++) key += `\u0001${this.#field(stream, tuple, positions[k]!)}`;
    return key;
  }

  #field(stream: TableStream, tuple: Tuple, i: number): string {
    return fieldOf(stream.columns[i]!, tuple[i] as string | null); // callers never pass an unchanged TOAST value
  }

  #tombstone(stream: TableStream, old: Tuple): Field[] {
    const fields: Field[] = stream.columns.map((c) => c.defaultField);
    for (const i of stream.keyPositions) fields[i] = this.#field(stream, old, i);
    return fields;
  }

  #table(stream: TableStream): TableBatch {
    let t = this.#batch.tables.get(stream.name);
    if (!t || t.stream !== stream) {
      // A new relation version (schema change) starts a new group under the same name.
      const images = t?.images ?? new Map<string, Image>();
      t = { stream, images, truncatedAt: t?.truncatedAt };
      this.#batch.tables.set(stream.name, t);
    }
    return t;
  }

  #requireOpen(): OpenTransaction {
    if (!this.#open) throw new Error('pgoutput change outside a transaction');
    return this.#open;
  }
}
