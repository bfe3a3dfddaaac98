import type { Detector } from './detector';
import { backorderAge } from './backorder-age';
import { demandShift } from './demand-shift';
import { ledgerDrift } from './ledger-drift';
import { orderOutlier } from './order-outlier';
import { supplierLate, transferLate } from './late-documents';
import { shippingStalled } from './shipping-stalled';
import { stockoutRisk } from './stockout-risk';

/** Every detector that reads the warehouse (ingest lag is judged from the ingest's progress instead). */
export const DETECTORS: readonly Detector[] = [demandShift, orderOutlier, backorderAge, stockoutRisk, transferLate, supplierLate, ledgerDrift, shippingStalled];
