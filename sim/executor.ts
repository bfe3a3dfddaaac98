import { sql } from 'drizzle-orm';
import type { Actor } from '../app/lib/server/core/actor';
import type { CoreDb } from '../app/lib/server/core/db';
import { DomainError } from '../app/lib/server/core/errors';
import type { SimClock } from './clock';
import type { Network } from './network-types';
import { executeApprovals, executeOrder, executePayments, executeReturn, executeShipWave } from './operations-execute-sales';
import { executeCycleCount, executePoReceiving, executeReorder, executeTransferDispatch, executeTransferReceiving } from './operations-execute-supply';
import { NO_SCENARIO, OPERATION_KINDS, type Operation, type OperationKind, type Scenario } from './operations-types';
import type { SimUsers } from './sim-users';

/** Thrown by attempt() once the executor is told to cut its operation short (a shutdown): the rest of the operation is dropped. */
export class OperationCutShort extends Error {
  override name = 'OperationCutShort';
}

/** Database ids by code (products by SKU): what the executor turns descriptors into. */
export interface SimIds {
  warehouses: ReadonlyMap<string, number>;
  products: ReadonlyMap<string, number>;
  customers: ReadonlyMap<string, number>;
  suppliers: ReadonlyMap<string, number>;
}

/** The ids of a network already in the database (writeNetwork's NetworkIds fit SimIds too). */
export async function loadSimIds(db: CoreDb): Promise<SimIds> {
  const map = async (table: string, key: string) =>
    new Map((await db.execute<{ k: string; id: number }>(sql.raw(`SELECT ${key} AS k, id FROM ${table}`))).rows.map((r) => [r.k, Number(r.id)]));
  return { warehouses: await map('warehouses', 'code'), products: await map('products', 'sku'), customers: await map('customers', 'code'), suppliers: await map('suppliers', 'code') };
}

/** Calls of one core service: done, or refused by a business rule (DomainError). */
export interface ActionCount {
  ok: number;
  refused: number;
}

export interface ExecutorCounters {
  /** Operations executed, in all and per kind. */
  operations: number;
  byKind: Record<OperationKind, number>;
  /** Per core service call ('orders.create', 'purchasing.receive', ...). */
  actions: Record<string, ActionCount>;
  /** What happened that is not a call of its own ('shipments.partial', 'receipts.late', 'ship-wave.idle', ...). */
  events: Record<string, number>;
  /** The latest refusal message per action, to see why without a debugger. */
  lastRefusal: Record<string, string>;
}

export function emptyCounters(): ExecutorCounters {
  return { operations: 0, byKind: Object.fromEntries(OPERATION_KINDS.map((k) => [k, 0])) as Record<OperationKind, number>, actions: {}, events: {}, lastRefusal: {} };
}

/** Simulated instants of documents' events that the database records only in wall time. */
export interface SimMemory {
  poSent: Map<number, number>;
  transferShipped: Map<number, number>;
  invoiceIssued: Map<number, number>;
}

/** What the per-kind handlers work with. */
export interface ExecContext {
  db: CoreDb;
  network: Network;
  seed: number;
  clock: SimClock;
  scenario: Scenario;
  users: SimUsers;
  memory: SimMemory;
  id(kind: keyof SimIds, code: string): number;
  /** The code of a warehouse or supplier id. */
  code(kind: 'warehouses' | 'suppliers', id: number): string;
  lead(warehouseCode: string): Actor;
  stockLocation(warehouseCode: string): number;
  /** Runs one service call: its result, or undefined when a business rule refused it (counted). Other errors propagate. */
  attempt<T>(action: string, call: () => Promise<T>): Promise<T | undefined>;
  note(event: string, n?: number): void;
}

export interface ExecutorOptions {
  db: CoreDb;
  network: Network;
  ids: SimIds;
  users: SimUsers;
  /** Seeds the executor's choices that belong to a document (a PO's lateness, an invoice's payment day). */
  seed: number;
  clock: SimClock;
  scenario?: Scenario;
}

/**
 * Executes operation descriptors through the core services, as the users of each
 * role would: sales enters and confirms orders, finance approves and books
 * payments, the warehouse lead picks, packs, ships, receives, counts and takes
 * returns, the buyer runs reorder and sends POs, the planner approves transfers
 * and count variances. Operations run one at a time (execute is not reentrant).
 *
 * Business refusals (a DomainError: credit rule, nothing to pick, not enough
 * stock) are counted per action and the operation goes on; anything else is a
 * fault and is thrown to the caller.
 */
export class Executor {
  readonly counters: ExecutorCounters = emptyCounters();
  private readonly ctx: ExecContext;
  private locations: Map<string, number> | undefined;
  private cutting = false;

  constructor(private readonly options: ExecutorOptions) {
    const { ids, users } = options;
    const cutting = () => this.cutting;
    const reverse = { warehouses: invert(ids.warehouses), suppliers: invert(ids.suppliers) };
    const counters = this.counters;
    this.ctx = {
      db: options.db,
      network: options.network,
      seed: options.seed,
      clock: options.clock,
      scenario: options.scenario ?? NO_SCENARIO,
      users,
      memory: { poSent: new Map(), transferShipped: new Map(), invoiceIssued: new Map() },
      id: (kind, code) => {
        const id = ids[kind].get(code);
        if (id === undefined) throw new Error(`the simulation refers to ${kind} ${code}, which the database does not hold`);
        return id;
      },
      code: (kind, id) => {
        const code = reverse[kind].get(id);
        if (code === undefined) throw new Error(`${kind} id ${id} is not part of the simulated network`);
        return code;
      },
      lead: (code) => {
        const actor = users.leads.get(code);
        if (!actor) throw new Error(`warehouse ${code} has no simulated lead`);
        return actor;
      },
      stockLocation: (code) => {
        const id = this.locations?.get(code);
        if (id === undefined) throw new Error(`warehouse ${code} has no stock location`);
        return id;
      },
      async attempt(action, call) {
        if (cutting()) throw new OperationCutShort(`${action} not started: the operation was cut short`);
        const count = (counters.actions[action] ??= { ok: 0, refused: 0 });
        try {
          const result = await call();
          count.ok++;
          return result;
        } catch (err) {
          if (!(err instanceof DomainError)) throw err;
          count.refused++;
          counters.lastRefusal[action] = err.message;
          return undefined;
        }
      },
      note(event, n = 1) {
        counters.events[event] = (counters.events[event] ?? 0) + n;
      }
    };
  }

  /**
   * Cut short: the operation in flight stops before its next service call (each
   * call is a transaction of its own, so what ran stays whole). Until resume().
   */
  cutShort(): void {
    this.cutting = true;
  }

  resume(): void {
    this.cutting = false;
  }

  /** Scenario changes apply from the next operation on. */
  setScenario(scenario: Scenario): void {
    this.ctx.scenario = scenario;
  }

  async execute(op: Operation): Promise<void> {
    if (!this.locations) {
      const rows = await this.options.db.execute<{ code: string; id: number }>(sql`
        SELECT w.code, l.id FROM locations l JOIN warehouses w ON w.id = l.warehouse_id WHERE l.kind = 'stock'`);
      this.locations = new Map(rows.rows.map((r) => [r.code, Number(r.id)]));
    }
    this.counters.operations++;
    this.counters.byKind[op.kind]++;
    const ctx = this.ctx;
    switch (op.kind) {
      case 'order':
        return executeOrder(ctx, op);
      case 'ship-wave':
        return executeShipWave(ctx, op);
      case 'order-approvals':
        return executeApprovals(ctx, op);
      case 'payments':
        return executePayments(ctx, op);
      case 'return':
        return executeReturn(ctx, op);
      case 'reorder-run':
        return executeReorder(ctx, op);
      case 'po-receiving':
        return executePoReceiving(ctx, op);
      case 'transfer-dispatch':
        return executeTransferDispatch(ctx, op);
      case 'transfer-receiving':
        return executeTransferReceiving(ctx, op);
      case 'cycle-count':
        return executeCycleCount(ctx, op);
    }
  }
}

const invert = (m: ReadonlyMap<string, number>) => new Map([...m].map(([code, id]) => [id, code]));

/** A deep copy of counters (progress reports hand out snapshots, not the live object). */
export const snapshotCounters = (c: ExecutorCounters): ExecutorCounters => structuredClone(c);
