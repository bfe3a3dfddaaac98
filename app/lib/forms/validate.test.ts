import { TRPCClientError } from '@trpc/client';
import { describe, expect, it } from 'vitest';
import { createOrderInput, shipInput } from '../../../schemas/api/orders';
import { resolveAlertInput } from '../../../schemas/api/alerts';
import { check, errorsAt, fieldErrorsOf, mergeFieldErrors, pathKey, remapIndexes, submitChecked, unplaced } from './validate';

const order = (lines: unknown[]) => ({ customerId: 1, warehouseId: 2, discountBp: 0, requestedDate: null, lines });

describe('check with the API schema', () => {
  it('passes a valid order with the schema defaults applied', () => {
    const r = check(createOrderInput, order([{ productId: 3, qty: 5 }]));
    expect(r).toEqual({ ok: true, data: { ...order([{ productId: 3, qty: 5 }]), priority: 0 } });
  });

  it('names each bad line field by its path, with the schema’s own message', () => {
    const r = check(createOrderInput, order([{ productId: 3, qty: 5 }, { productId: 4, qty: 0 }, { productId: 5, qty: 1.5 }]));
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.errors).toEqual({ 'lines.1.qty': ['must be at least 1'], 'lines.2.qty': ['must be a whole number'] });
  });

  it('says "is required" for a missing or empty value instead of Zod’s type wording', () => {
    const r = check(createOrderInput, { warehouseId: 2, customerId: null, lines: [{ qty: Number.NaN }] });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(errorsAt(r.errors, 'customerId')).toEqual(['is required']);
    expect(errorsAt(r.errors, 'lines.0.productId')).toEqual(['is required']);
    expect(errorsAt(r.errors, 'lines.0.qty')).toEqual(['is required']);
  });

  it('keeps a wrong type that is not a missing value in Zod’s words', () => {
    const r = check(createOrderInput, order([{ productId: 'x', qty: 1 }]));
    expect(r.ok).toBe(false);
    if (!r.ok) expect(errorsAt(r.errors, 'lines.0.productId')[0]).toMatch(/expected number/);
  });

  it('puts array-level and refinement errors under their own path', () => {
    const empty = check(createOrderInput, order([]));
    expect(!empty.ok && errorsAt(empty.errors, 'lines')).toEqual(['an order needs at least one line']);
    const neither = check(shipInput, { lines: [{ lineNo: 1, qty: 1 }] });
    expect(!neither.ok && errorsAt(neither.errors, 'orderId')).toEqual(['name a shipmentId or an orderId']);
    const blank = check(resolveAlertInput, { alertId: 1, resolution: '   ' });
    expect(!blank.ok && errorsAt(blank.errors, 'resolution')).toEqual(['must not be empty']);
  });
});

describe('field error helpers', () => {
  it('joins paths with dots; the form itself is the empty key', () => {
    expect(pathKey(['lines', 0, 'qty'])).toBe('lines.0.qty');
    expect(pathKey([])).toBe('');
  });

  it('collects duplicate messages once', () => {
    const parsed = createOrderInput.safeParse(order([{ productId: 1, qty: 0 }]));
    expect(parsed.success).toBe(false);
    if (!parsed.success) expect(fieldErrorsOf(parsed.error)).toEqual({ 'lines.0.qty': ['must be at least 1'] });
  });

  it('merges client and server errors per key without repeating a message', () => {
    expect(mergeFieldErrors({ a: ['x'] }, { a: ['x', 'y'], b: ['z'] }, null, undefined)).toEqual({ a: ['x', 'y'], b: ['z'] });
  });

  it('maps the index of a sent row back to the form row it came from', () => {
    const sent = { 'lines.0.qty': ['too many'], 'lines.1': ['unknown line'], orderId: ['bad'] };
    expect(remapIndexes(sent, 'lines', [2, 5])).toEqual({ 'lines.2.qty': ['too many'], 'lines.5': ['unknown line'], orderId: ['bad'] });
  });

  it('lists the messages no field shows, named by their key; the form’s own bare', () => {
    const errors = { 'lines.0.qty': ['must be at least 1'], 'lines.0.lineId': ['line 9 is not on this transfer'], '': ['the transfer is not approved'], transferId: ['gone', 'really'] };
    const shown = (key: string) => /^lines\.\d+\.qty$/.test(key);
    expect(unplaced(errors, shown)).toEqual(['lines.0.lineId: line 9 is not on this transfer', 'the transfer is not approved', 'transferId: gone', 'transferId: really']);
    expect(unplaced(errors, () => true)).toEqual([]);
  });
});

describe('submitChecked', () => {
  it('sends nothing when the check fails', async () => {
    let sent = 0;
    const r = await submitChecked(createOrderInput, order([{ productId: 1, qty: 0 }]), async () => void (sent += 1));
    expect(sent).toBe(0);
    expect(r).toEqual({ ok: false, message: null, errors: { 'lines.0.qty': ['must be at least 1'] } });
  });

  it('sends the parsed value and returns the answer', async () => {
    const r = await submitChecked(createOrderInput, order([{ productId: 1, qty: 2 }]), async (data) => data.lines.length);
    expect(r).toEqual({ ok: true, result: 1 });
  });

  it('returns the server’s message and field errors when the API refuses', async () => {
    const refusal = TRPCClientError.from({
      error: { message: 'the order is not valid', code: -32600, data: { code: 'BAD_REQUEST', httpStatus: 400, fieldErrors: { 'lines.0.productId': ['product 9 does not exist'] } } }
    });
    const r = await submitChecked(createOrderInput, order([{ productId: 9, qty: 2 }]), async () => {
      throw refusal;
    });
    expect(r).toEqual({ ok: false, message: 'the order is not valid', errors: { 'lines.0.productId': ['product 9 does not exist'] } });
  });

  it('reports a failure without field errors by its message only', async () => {
    const r = await submitChecked(createOrderInput, order([{ productId: 9, qty: 2 }]), async () => {
      throw new Error('network down');
    });
    expect(r).toEqual({ ok: false, message: 'network down', errors: {} });
  });
});
