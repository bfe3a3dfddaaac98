import { Readable } from 'node:stream';
import type { ClickHouseClient } from '@clickhouse/client';
import { UNCHANGED_TOAST } from './pgoutput-decoder';
import type { Batch, Image, TableBatch } from './batcher';
import type { Lsn } from './lsn';
import { chIdent } from '../warehouse/landing-tables';
import { LANDING_PRIORITY } from '../platform/clickhouse';

/**
 * Lands batches in ClickHouse: each table's newest row images into its
 * current-state table, then the change-log lines in one insert. The change log
 * is also the checkpoint: after a crash the newest (commit LSN, position) in it
 * says what has landed, and lines at or before it are not written again.
 * Current-state rows carry their commit LSN as version, so writing them twice is harmless.
 */

export interface Checkpoint {
  lsn: Lsn;
  position: number;
}

export class ToastResolutionError extends Error {
  override name = 'ToastResolutionError';
}

const TSV_SETTINGS = { output_format_decimal_trailing_zeros: 1 } as const;

function tsvStream(text: string): Readable {
  return Readable.from([text], { objectMode: false });
}

export class ClickHouseSink {
  #checkpoint: Checkpoint | null = null;

  constructor(private readonly ch: ClickHouseClient) {}

  /** The newest change-log line in ClickHouse (what has landed), read again after any failure. */
  async readCheckpoint(): Promise<Checkpoint> {
    const rs = await this.ch.query({
      query: 'SELECT commit_lsn, position FROM change_log ORDER BY commit_lsn DESC, position DESC LIMIT 1',
      format: 'TabSeparated'
    });
    const line = (await rs.text()).trim();
    const [lsn, position] = line ? line.split('\t') : ['0', '-1'];
    this.#checkpoint = { lsn: BigInt(lsn!), position: Number(position) };
    return this.#checkpoint;
  }

  get checkpoint(): Checkpoint | null {
    return this.#checkpoint;
  }

  /** Forgets the in-memory checkpoint so that the next land re-reads it (after a failed attempt). */
  invalidate(): void {
    this.#checkpoint = null;
  }

  async land(batch: Batch): Promise<{ rows: number }> {
    const checkpoint = this.#checkpoint ?? (await this.readCheckpoint());
    // Tables side by side (each table's rows in one insert; chDB runs several at once). The change
    // log, which carries the checkpoint, goes last: a crash before it replays the whole batch, which
    // the versioned tables take without a change and the change log sees once.
    const counts = await Promise.all(
      [...batch.tables.values()].map(async (table) => {
        await this.#resolveToast(table);
        if (table.truncatedAt) await this.#tombstoneAll(table);
        return this.#insertImages(table);
      })
    );
    const rows = counts.reduce((n, c) => n + c, 0);
    const lines = batch.changeLog.filter((l) => l.lsn > checkpoint.lsn || (l.lsn === checkpoint.lsn && l.position > checkpoint.position));
    if (lines.length > 0) {
      await this.ch.insert({
        table: 'change_log',
        columns: CHANGE_LOG_COLUMNS,
        values: tsvStream(lines.map((l) => l.tsv).join('')),
        format: 'TabSeparated',
        clickhouse_settings: LANDING_PRIORITY
      });
      const last = lines[lines.length - 1]!;
      this.#checkpoint = { lsn: last.lsn, position: last.position };
    }
    return { rows };
  }

  async #insertImages(table: TableBatch): Promise<number> {
    if (table.images.size === 0) return 0;
    const parts: string[] = [];
    for (const image of table.images.values()) {
      parts.push(`${(image.fields as string[]).join('\t')}\t${image.version}\t${image.deleted ? 1 : 0}\t${image.commitTime}\n`);
    }
    await this.ch.insert({
      table: chIdent(table.stream.name),
      columns: table.stream.insertColumns,
      values: tsvStream(parts.join('')),
      format: 'TabSeparated',
      clickhouse_settings: LANDING_PRIORITY
    });
    return parts.length;
  }

  /** TRUNCATE: every row the table holds gets a tombstone at the truncating transaction's version. */
  async #tombstoneAll(table: TableBatch): Promise<void> {
    const { version, commitTime } = table.truncatedAt!;
    const keys = table.stream.keyPositions.map((i) => chIdent(table.stream.relation.columns[i]!.name));
    await this.ch.command({
      query: `INSERT INTO ${chIdent(table.stream.name)} (${keys.join(', ')}, _version, _deleted, _commit_time)
              SELECT ${keys.join(', ')}, ${version}, 1, toDateTime64('${commitTime}', 6, 'UTC') FROM ${chIdent(table.stream.name)} FINAL WHERE _version < ${version}`,
      clickhouse_settings: LANDING_PRIORITY
    });
  }

  /**
   * An UPDATE that left a TOASTed value unchanged does not carry it: the value is
   * the one ClickHouse already holds for that row (landed by an earlier batch).
   * After a crash the replay can meet a row that ClickHouse already holds in a newer
   * version (landed, not yet acknowledged), perhaps a tombstone: such an image can
   * never win, and its older value may be merged away, so it is not landed at all.
   */
  async #resolveToast(table: TableBatch): Promise<void> {
    const pending: [string, Image][] = [];
    for (const entry of table.images) if (!entry[1].deleted && entry[1].fields.includes(UNCHANGED_TOAST)) pending.push(entry);
    if (pending.length === 0) return;
    const s = table.stream;
    const names = s.relation.columns.map((c) => chIdent(c.name));
    const keyNames = s.keyPositions.map((i) => names[i]!);
    const keyList = pending.map(([, img]) => `(${s.keyPositions.map((i) => quoteLiteral(img.fields[i] as string)).join(', ')})`);
    const rs = await this.ch.query({
      query: `SELECT ${names.join(', ')}, _version, _deleted FROM ${chIdent(s.name)} WHERE (${keyNames.join(', ')}) IN (${keyList.join(', ')})
              ORDER BY _version DESC LIMIT 1 BY ${keyNames.join(', ')}`,
      format: 'TabSeparated',
      clickhouse_settings: { ...TSV_SETTINGS, ...LANDING_PRIORITY }
    });
    const stored = new Map<string, string[]>();
    for (const line of (await rs.text()).split('\n')) {
      if (!line) continue;
      const fields = line.split('\t');
      stored.set(s.keyPositions.map((i) => fields[i]).join('\u0001'), fields);
    }
    for (const [key, img] of pending) {
      const newest = stored.get(key);
      if (newest && BigInt(newest[names.length]!) > img.version) {
        table.images.delete(key);
        continue;
      }
      const have = newest?.[names.length + 1] === '0' ? newest : undefined;
      for (let i = 0; i < img.fields.length; i++) {
        if (img.fields[i] !== UNCHANGED_TOAST) continue;
        if (!have) throw new ToastResolutionError(`${s.name}: row ${key.replace(/\u0001/g, ',')} kept column ${s.relation.columns[i]!.name} unchanged, but ClickHouse has no earlier version of the row`);
        img.fields[i] = have[i]!;
      }
    }
  }
}

/** A TSV field as a ClickHouse string literal: its escapes (quote included) are the literal's. */
function quoteLiteral(field: string): string {
  return `'${field}'`;
}

const CHANGE_LOG_COLUMNS: [string, ...string[]] = ['table_name', 'pk', 'op', 'before', 'after', 'commit_lsn', 'position', 'commit_time', 'xid', 'actor_id', 'actor', 'action'];
