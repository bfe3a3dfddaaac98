import type { Config } from './config';

/** The detectors' thresholds, from configuration (ALERT_* variables; README lists them). */
export interface DetectorThresholds {
  /** Robust z-score (median/MAD over the trailing 28 days) beyond which a day's demand is a spike or a drop. */
  demandZ: number;
  /** Below this many units a day neither a spike nor a drop is worth an alert (slow movers). */
  demandMinUnits: number;
  /** Robust z-score of an order line's quantity against the customer's history of the product. */
  orderQuantityZ: number;
  /** A backorder this many days old raises an alert (critical at twice the age). */
  backorderDays: number;
  /** Days of grace after a transfer's expected arrival, and after a PO's expected date. */
  transferLateDays: number;
  supplierLateDays: number;
  /** Ingest lag (commit to landed) in milliseconds that raises an alert. */
  ingestLagMs: number;
  /**
   * Minutes a warehouse may go without shipping while orders wait (ready that long too) before it
   * is stalled; critical at 3× (warehouse/detectors/shipping-stalled.ts says why 150 by default).
   */
  shippingIdleMinutes: number;
}

export function detectorThresholds(config: Config): DetectorThresholds {
  return {
    demandZ: config.ALERT_DEMAND_Z,
    demandMinUnits: config.ALERT_DEMAND_MIN_UNITS,
    orderQuantityZ: config.ALERT_ORDER_QUANTITY_Z,
    backorderDays: config.ALERT_BACKORDER_DAYS,
    transferLateDays: config.ALERT_TRANSFER_LATE_DAYS,
    supplierLateDays: config.ALERT_SUPPLIER_LATE_DAYS,
    ingestLagMs: config.ALERT_INGEST_LAG_MS,
    shippingIdleMinutes: config.ALERT_SHIPPING_IDLE_MINUTES
  };
}
