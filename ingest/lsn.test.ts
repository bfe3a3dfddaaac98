import { describe, expect, it } from 'vitest';
import { formatLsn, parseLsn, readLsn } from './lsn';

describe('LSN', () => {
  it('parses the two hex halves into one 64-bit position', () => {
    expect(parseLsn('0/0')).toBe(0n);
    expect(parseLsn('0/16B3748')).toBe(0x16b3748n);
    expect(parseLsn('1/0')).toBe(0x1_0000_0000n);
    expect(parseLsn('FFFFFFFF/FFFFFFFF')).toBe(0xffff_ffff_ffff_ffffn);
    // Lower-case hex and surrounding blanks (as psql may print them) are accepted.
    expect(parseLsn(' a/b ')).toBe(0xa_0000_000bn);
  });

  it('formats as PostgreSQL does: upper-case hex, no padding', () => {
    expect(formatLsn(0n)).toBe('0/0');
    expect(formatLsn(0x16b3748n)).toBe('0/16B3748');
    expect(formatLsn(0x2_0000_00ffn)).toBe('2/FF');
  });

  it('round-trips text and numbers', () => {
    for (const text of ['0/0', '0/1', '0/16B3748', '1/0', '3A/DEADBEEF', 'FFFFFFFF/FFFFFFFF']) {
      expect(formatLsn(parseLsn(text))).toBe(text);
    }
    for (const n of [0n, 1n, 0xffff_ffffn, 0x1_0000_0000n, 0x1234_5678_9abc_def0n]) {
      expect(parseLsn(formatLsn(n))).toBe(n);
    }
  });

  it('refuses what is not an LSN, naming the input', () => {
    for (const bad of ['', '0', '0/', '/0', '0/0/0', 'G/0', '0x1/0', '123456789/0', '0/123456789', '-1/0', '1 / 2']) {
      expect(() => parseLsn(bad), bad).toThrow(/is not a PostgreSQL LSN/);
    }
    expect(() => parseLsn('nope')).toThrow('"nope"');
  });

  it('reads a big-endian LSN from a protocol buffer at an offset', () => {
    const buf = Buffer.alloc(11);
    buf.writeBigUInt64BE(0x3a_dead_beefn, 3);
    expect(readLsn(buf, 3)).toBe(parseLsn('3A/DEADBEEF'));
  });
});
