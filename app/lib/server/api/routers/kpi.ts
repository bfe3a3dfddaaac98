import { TRPCError } from '@trpc/server';
import type { ClickHouseClient } from '@clickhouse/client';
import { z } from 'zod';
import { backorderAgingInput, fillRateInput, invoiceLagInput, orderCycleInput, otifInput } from '../../../../../schemas/api/kpi-sales';
import {
  daysOfSupplyInput,
  inventoryTurnsInput,
  poLineFillInput,
  stockAgingInput,
  stockAtRiskCountInput,
  stockAtRiskInput,
  supplierPerformanceInput,
  transferBottlenecksInput
} from '../../../../../schemas/api/kpi-supply';
import type { Actor } from '../../core/actor';
import { readBusinessNow } from '../../core/business-clock';
import { backorderAging } from '../../../../../warehouse/kpi/backorder-aging';
import { fillRate } from '../../../../../warehouse/kpi/fill-rate';
import { daysOfSupply, inventoryTurns, stockAging } from '../../../../../warehouse/kpi/inventory-health';
import { invoiceLag, orderCycleTime } from '../../../../../warehouse/kpi/order-cycle';
import { otif } from '../../../../../warehouse/kpi/otif';
import { UnsupportedFilterError } from '../../../../../warehouse/kpi/scope-filter';
import { stockAtRisk, stockAtRiskCount } from '../../../../../warehouse/kpi/stock-at-risk';
import { poLineFill, supplierPerformance } from '../../../../../warehouse/kpi/supplier-performance';
import { transferBottlenecks } from '../../../../../warehouse/kpi/transfer-bottlenecks';
import { ALL_ROLES, allow, router } from '../trpc';

/**
 * The KPI library for the boards. Every role reads KPIs, as every role reads the
 * core; a warehouse-scoped user (a warehouse lead) reads its own warehouse only:
 * its filter is forced, and asking for another warehouse is refused.
 */
function withinActorScope<T extends { warehouseIds?: number[] }>(actor: Actor, input: T): T {
  if (actor.warehouseId === null) return input;
  if (input.warehouseIds?.some((id) => id !== actor.warehouseId)) {
    throw new TRPCError({ code: 'FORBIDDEN', message: `you read warehouse ${actor.warehouseId} only` });
  }
  return { ...input, warehouseIds: [actor.warehouseId] };
}

function kpi<S extends z.ZodType<{ warehouseIds?: number[] }>, O>(schema: S, read: (ch: ClickHouseClient, input: z.output<S>) => Promise<O>) {
  // "Now" for a KPI that ages (backorders, lateness, cover) is the business clock's, as the documents' dates are.
  const takesAsOf = schema instanceof z.ZodObject && 'asOfTime' in schema.shape;
  return allow(...ALL_ROLES)
    .input(schema)
    .query(async ({ ctx, input }) => {
      if (!ctx.ch) throw new TRPCError({ code: 'PRECONDITION_FAILED', message: 'the analytics warehouse (ClickHouse) is not connected to this API' });
      try {
        const scoped = withinActorScope(ctx.actor, input as z.output<S> & { asOfTime?: string });
        const dated = takesAsOf && scoped.asOfTime === undefined ? { ...scoped, asOfTime: (await readBusinessNow(ctx.db)).toISOString() } : scoped;
        return await read(ctx.ch, dated);
      } catch (err) {
        if (err instanceof UnsupportedFilterError) throw new TRPCError({ code: 'BAD_REQUEST', message: err.message, cause: err });
        throw err;
      }
    });
}

export const kpiRouter = router({
  fillRate: kpi(fillRateInput, fillRate),
  otif: kpi(otifInput, otif),
  backorderAging: kpi(backorderAgingInput, backorderAging),
  orderCycleTime: kpi(orderCycleInput, orderCycleTime),
  invoiceLag: kpi(invoiceLagInput, invoiceLag),
  transferBottlenecks: kpi(transferBottlenecksInput, transferBottlenecks),
  stockAtRisk: kpi(stockAtRiskInput, stockAtRisk),
  stockAtRiskCount: kpi(stockAtRiskCountInput, stockAtRiskCount),
  inventoryTurns: kpi(inventoryTurnsInput, inventoryTurns),
  daysOfSupply: kpi(daysOfSupplyInput, daysOfSupply),
  stockAging: kpi(stockAgingInput, stockAging),
  supplierPerformance: kpi(supplierPerformanceInput, supplierPerformance),
  poLineFill: kpi(poLineFillInput, poLineFill)
});
