/**
 * The most lines one order, purchase order, transfer or return may carry. A reorder
 * run that proposes more splits them over several documents of this size.
 */
export const MAX_DOCUMENT_LINES = 500;
