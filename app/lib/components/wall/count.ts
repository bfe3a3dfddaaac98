import { fmtInt } from '../../format';

/** "1 order", "12 orders": counts on the wall read as words, not as "1 orders". */
export const count = (n: number, one: string, many = `${one}s`) => `${fmtInt(n)} ${n === 1 ? one : many}`;
