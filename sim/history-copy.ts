import type pg from 'pg';

/**
 * COPY ... FROM STDIN through node-postgres without another dependency: a
 * "submittable" query (the hook pg-copy-streams uses) that answers the server's
 * CopyInResponse by streaming text-format rows, waiting for the socket to drain
 * so memory stays bounded. COPY loads rows several times faster than INSERT ...
 * SELECT FROM unnest(arrays): no executor per row, batched heap inserts.
 */

/** The protocol side of pg's Connection that a submittable query talks to. */
interface Connection {
  query(text: string): void;
  sendCopyFromChunk(chunk: Buffer): void;
  endCopyFrom(): void;
  stream: { writableNeedDrain?: boolean; once(event: 'drain', listener: () => void): unknown };
}

/** Escapes a value for COPY's text format (backslash, tab, newline, carriage return). */
export function copyText(value: string): string {
  return /[\\\t\n\r]/.test(value) ? value.replace(/[\\\t\n\r]/g, (c) => (c === '\\' ? '\\\\' : c === '\t' ? '\\t' : c === '\n' ? '\\n' : '\\r')) : value;
}

/** COPY's NULL in text format. */
export const NULL = '\\N';

/**
 * The query side of one COPY: the server's CopyInResponse opens it, chunks go
 * out as CopyData, CopyDone ends it; an error (from the server or the socket)
 * fails whatever waits on it.
 */
class CopyIn {
  private failed: Error | null = null;
  private rows = 0;
  connection: Connection | null = null;
  readonly opened: Promise<void>;
  readonly finished: Promise<number>;
  private open!: () => void;
  private fail!: (err: Error) => void;
  private finish!: (rows: number) => void;
  private failFinish!: (err: Error) => void;

  constructor(readonly text: string) {
    this.opened = new Promise((resolve, reject) => {
      this.open = resolve;
      this.fail = reject;
    });
    this.finished = new Promise((resolve, reject) => {
      this.finish = resolve;
      this.failFinish = reject;
    });
    // Whoever awaits later sees the error; none may go unhandled meanwhile.
    this.opened.catch(() => {});
    this.finished.catch(() => {});
  }

  get error(): Error | null {
    return this.failed;
  }

  submit(connection: Connection): void {
    connection.query(this.text);
  }

  handleCopyInResponse(connection: Connection): void {
    this.connection = connection;
    this.open();
  }

  handleCommandComplete(msg: { text?: string }): void {
    this.rows = Number(/(\d+)$/.exec(msg.text ?? '')?.[1] ?? 0);
  }

  handleError(err: Error): void {
    if (this.failed) return;
    this.failed = err;
    this.fail(err);
    this.failFinish(err);
  }

  handleReadyForQuery(): void {
    if (!this.failed) this.finish(this.rows);
  }

  handleRowDescription(): void {}
  handleDataRow(): void {}
  handleEmptyQuery(): void {}
  handlePortalSuspended(): void {}
  handleCopyData(): void {}
}

/**
 * A COPY ... FROM STDIN in progress (text format): write newline-terminated,
 * tab-separated rows (copyText / NULL), then end it. write() waits while the
 * socket's buffer is full, so memory stays bounded; the server copies the
 * rows meanwhile (in its own process: a COPY can run while this one computes).
 */
export class CopyStream {
  private constructor(private readonly copy: CopyIn) {}

  static async open(client: pg.ClientBase, table: string, columns: string[]): Promise<CopyStream> {
    const copy = new CopyIn(`COPY ${table} (${columns.join(', ')}) FROM STDIN`);
    (client as unknown as { query(q: unknown): unknown }).query(copy);
    await copy.opened;
    return new CopyStream(copy);
  }

  async write(text: string): Promise<void> {
    if (this.copy.error) throw this.copy.error;
    if (!text) return;
    const connection = this.copy.connection!;
    connection.sendCopyFromChunk(Buffer.from(text, 'utf8'));
    if (connection.stream.writableNeedDrain) {
      await new Promise<void>((resolve) => connection.stream.once('drain', resolve));
    }
  }

  /** Ends the COPY; resolves to the number of rows the server copied. */
  async end(): Promise<number> {
    if (!this.copy.error) this.copy.connection!.endCopyFrom();
    return this.copy.finished;
  }

  /** Aborts the COPY (the server rolls it back with an error). */
  async abort(reason: string): Promise<void> {
    if (!this.copy.error) (this.copy.connection as unknown as { sendCopyFail(msg: string): void }).sendCopyFail(reason);
    await this.copy.finished.catch(() => {});
  }
}

/** Streams `count` rows into a table with COPY; `line` renders row i. Returns the rows copied. */
export async function copyRows(client: pg.ClientBase, table: string, columns: string[], count: number, line: (i: number) => string): Promise<number> {
  const stream = await CopyStream.open(client, table, columns);
  let buf = '';
  try {
    for (let i = 0; i < count; i++) {
      buf += line(i);
      if (buf.length >= 1 << 20) {
        await stream.write(buf);
        buf = '';
      }
    }
    await stream.write(buf);
  } catch (err) {
    await stream.abort(String(err));
    throw err;
  }
  return stream.end();
}
