import { describe, expect, it } from 'vitest';
import { escapeTsv, mapColumn, TypeMappingError, type PgColumn } from './type-mapping';

/** A catalog column as coreTables() describes it; NOT NULL unless said otherwise. */
function col(typeName: string, extra: Partial<PgColumn> = {}): PgColumn {
  return { name: 'c', typeName, typeKind: 'b', elementTypeName: null, elementTypeKind: null, typeMod: -1, typeOid: 0, notNull: true, ...extra };
}
/** An array column of `element` (PostgreSQL names the array type _element). */
function arrayCol(element: string, extra: Partial<PgColumn> = {}): PgColumn {
  return col(`_${element}`, { elementTypeName: element, elementTypeKind: 'b', notNull: false, ...extra });
}
/** numeric(p,s)'s atttypmod, as PostgreSQL stores it. */
const numericTypmod = (precision: number, scale: number) => ((precision << 16) | scale) + 4;

const map = (c: PgColumn) => mapColumn('samples', c);
const field = (c: PgColumn, text: string) => map(c).toField(text);

describe('type mapping: the ClickHouse type of each PostgreSQL type', () => {
  it.each([
    ['bool', 'Bool'],
    ['int2', 'Int16'],
    ['int4', 'Int32'],
    ['int8', 'Int64'],
    ['oid', 'UInt32'],
    ['float4', 'Float32'],
    ['float8', 'Float64'],
    ['uuid', 'UUID'],
    ['date', 'Date32'],
    ['timestamptz', "DateTime64(6, 'UTC')"],
    ['timestamp', "DateTime64(6, 'UTC')"],
    ...['text', 'varchar', 'bpchar', 'name', 'citext', 'json', 'jsonb', 'bytea'].map((t) => [t, 'String']),
    ...['time', 'timetz', 'interval', 'inet', 'cidr', 'macaddr', 'xml', 'money'].map((t) => [t, 'String'])
  ])('%s -> %s', (pg, ch) => {
    expect(map(col(pg)).type).toBe(ch);
  });

  it('wraps a NULL-able column in Nullable, and writes NULL as \\N', () => {
    const c = map(col('int4', { notNull: false }));
    expect(c.type).toBe('Nullable(Int32)');
    expect(c.nullField).toBe('\\N');
    expect(c.defaultField).toBe('\\N');
    expect(map(col('timestamptz', { notNull: false })).type).toBe("Nullable(DateTime64(6, 'UTC'))");
  });

  it('gives a NOT NULL column a type default for tombstones', () => {
    expect(map(col('int8')).defaultField).toBe('0');
    expect(map(col('text')).defaultField).toBe('');
    expect(map(col('bool')).defaultField).toBe('false');
    expect(map(col('uuid')).defaultField).toBe('00000000-0000-0000-0000-000000000000');
    expect(map(col('date')).defaultField).toBe('1970-01-01');
    expect(map(col('timestamptz')).defaultField).toBe('1970-01-01 00:00:00.000000');
    expect(map(col('numeric', { typeMod: numericTypmod(12, 2) })).defaultField).toBe('0');
  });

  it('maps enums to LowCardinality(String), with Nullable inside it', () => {
    expect(map(col('order_status', { typeKind: 'e' })).type).toBe('LowCardinality(String)');
    expect(map(col('order_status', { typeKind: 'e', notNull: false })).type).toBe('LowCardinality(Nullable(String))');
    expect(field(col('order_status', { typeKind: 'e' }), 'picking')).toBe('picking');
  });

  it('maps numeric(p,s) to Decimal(p,s) and unconstrained numeric to exact text', () => {
    expect(map(col('numeric', { typeMod: numericTypmod(12, 2) })).type).toBe('Decimal(12, 2)');
    expect(map(col('numeric', { typeMod: numericTypmod(76, 10) })).type).toBe('Decimal(76, 10)');
    expect(map(col('numeric', { typeMod: numericTypmod(5, 0), notNull: false })).type).toBe('Nullable(Decimal(5, 0))');
    // Beyond ClickHouse's widest Decimal: kept as text rather than rounded.
    expect(map(col('numeric', { typeMod: numericTypmod(100, 2) })).type).toBe('String');
    expect(map(col('numeric')).type).toBe('String');
    expect(field(col('numeric'), '123456789012345678901234567890.000000000000000000001')).toBe('123456789012345678901234567890.000000000000000000001');
    expect(field(col('numeric'), 'NaN')).toBe('NaN');
    expect(field(col('numeric', { typeMod: numericTypmod(12, 2) }), '-1234.50')).toBe('-1234.50');
  });

  it('refuses NaN and infinities for a Decimal column', () => {
    const c = col('numeric', { typeMod: numericTypmod(12, 2) });
    for (const v of ['NaN', 'Infinity', '-Infinity']) expect(() => field(c, v)).toThrow(TypeMappingError);
  });

  it('writes booleans as true/false and refuses anything else', () => {
    expect(field(col('bool'), 't')).toBe('true');
    expect(field(col('bool'), 'f')).toBe('false');
    expect(() => field(col('bool'), 'yes')).toThrow(TypeMappingError);
  });

  it('passes integers, UUIDs and dates through', () => {
    expect(field(col('int8'), '-9223372036854775808')).toBe('-9223372036854775808');
    expect(field(col('uuid'), 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11')).toBe('a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11');
    expect(field(col('date'), '2026-02-28')).toBe('2026-02-28');
  });

  it('writes float NaN and infinities in ClickHouse words, and compares floats as numbers', () => {
    const c = map(col('float8'));
    expect(c.toField('NaN')).toBe('nan');
    expect(c.toField('Infinity')).toBe('inf');
    expect(c.toField('-Infinity')).toBe('-inf');
    expect(c.toField('1.5e-300')).toBe('1.5e-300');
    expect(c.sameValue('nan', 'nan')).toBe(true);
    expect(c.sameValue('1e+20', '100000000000000000000')).toBe(true);
    expect(c.sameValue('0.1', '0.2')).toBe(false);
    expect(map(col('float4')).toField('-Infinity')).toBe('-inf');
    // Other types compare as text.
    expect(map(col('text')).sameValue('1.0', '1')).toBe(false);
  });
});

describe('type mapping: timestamps', () => {
  const tz = col('timestamptz');

  it('normalises to exactly 6 fractional digits without the UTC offset', () => {
    expect(field(tz, '2026-11-22 21:18:05+00')).toBe('2026-11-22 21:18:05.000000');
    expect(field(tz, '2026-11-22 21:18:05.12+00')).toBe('2026-11-22 21:18:05.120000');
    expect(field(tz, '2026-11-22 21:18:05.123456+00')).toBe('2026-11-22 21:18:05.123456');
    expect(field(tz, '2026-11-22 21:18:05.5+00:00')).toBe('2026-11-22 21:18:05.500000');
    expect(field(col('timestamp'), '2026-11-22 21:18:05')).toBe('2026-11-22 21:18:05.000000');
    expect(field(col('timestamp'), '1900-01-01 00:00:00.000001')).toBe('1900-01-01 00:00:00.000001');
  });

  it('refuses a timestamp that is not in UTC', () => {
    expect(() => field(tz, '2026-11-22 21:18:05+01')).toThrow(/not in UTC/);
    expect(() => field(tz, '2026-11-22 21:18:05.1-05:30')).toThrow(TypeMappingError);
  });

  it('refuses dates and timestamps outside 1900-2299 instead of letting ClickHouse clamp them', () => {
    for (const [c, v] of [
      [col('date'), '1899-12-31'],
      [col('date'), '2300-01-01'],
      [col('date'), '0044-03-15 BC'],
      [col('date'), '2000-01-01 BC'],
      [col('date'), 'infinity'],
      [col('date'), '12026-01-01'],
      [tz, '1899-12-31 23:59:59.999999+00'],
      [tz, '2300-01-01 00:00:00+00'],
      [tz, '-infinity'],
      [tz, '2000-01-01 00:00:00+00 BC'],
      [col('timestamp'), 'infinity']
    ] as const) {
      expect(() => field(c, v), v).toThrow(TypeMappingError);
      expect(() => field(c, v), v).toThrow(/outside ClickHouse's range \(years 1900-2299\)/);
    }
    expect(field(col('date'), '1900-01-01')).toBe('1900-01-01');
    expect(field(col('date'), '2299-12-31')).toBe('2299-12-31');
    expect(field(tz, '2299-12-31 23:59:59.999999+00')).toBe('2299-12-31 23:59:59.999999');
  });
});

describe('type mapping: text', () => {
  it('escapes as ClickHouse itself writes TabSeparated, and nothing else', () => {
    expect(field(col('text'), 'plain')).toBe('plain');
    expect(field(col('text'), 'a\tb\nc\rd\\e\0f')).toBe('a\\tb\\nc\\rd\\\\e\\0f');
    // ClickHouse prints ', backspace and form feed escaped: written the same way, fields compare as text.
    expect(field(col('text'), `it's "quoted"\b\f`)).toBe(`it\\'s "quoted"\\b\\f`);
    expect(field(col('bytea'), '\\x00ff')).toBe('\\\\x00ff');
    expect(field(col('jsonb'), '{"a": "x\\ty"}')).toBe('{"a": "x\\\\ty"}');
    expect(escapeTsv('ünïcödé €')).toBe('ünïcödé €');
  });
});

describe('type mapping: arrays', () => {
  it('maps one-dimensional arrays to Array(Nullable(element)), a NULL array to []', () => {
    const ints = map(arrayCol('int4'));
    expect(ints.type).toBe('Array(Nullable(Int32))');
    expect(ints.nullField).toBe('[]');
    expect(ints.defaultField).toBe('[]');
    // NOT NULL does not change an array's type: its elements can still be NULL.
    expect(map(arrayCol('text', { notNull: true })).type).toBe('Array(Nullable(String))');
    expect(map(arrayCol('status', { elementTypeKind: 'e' })).type).toBe('Array(Nullable(String))');
    expect(map(arrayCol('timestamptz')).type).toBe("Array(Nullable(DateTime64(6, 'UTC')))");
    expect(map(arrayCol('numeric')).type).toBe('Array(Nullable(String))');
  });

  it('writes NULL elements as NULL', () => {
    expect(field(arrayCol('int4'), '{1,NULL,3}')).toBe('[1,NULL,3]');
    expect(field(arrayCol('int4'), '{NULL}')).toBe('[NULL]');
    expect(field(arrayCol('int4'), '{}')).toBe('[]');
    expect(field(arrayCol('int8'), '[0:1]={7,8}')).toBe('[7,8]');
  });

  it('quotes string elements, escaping quotes, backslashes, tabs and newlines', () => {
    // PostgreSQL's text output: elements with specials are double-quoted, " and \ backslash-escaped.
    const pgText = '{plain,"it\'s","say \\"hi\\"","back\\\\slash","tab\there","new\nline","NULL",NULL,""}';
    expect(field(arrayCol('text'), pgText)).toBe(
      "['plain','it\\'s','say \"hi\"','back\\\\slash','tab\\there','new\\nline','NULL',NULL,'']"
    );
  });

  it('converts elements as their scalar type does', () => {
    expect(field(arrayCol('bool'), '{t,f,NULL}')).toBe('[true,false,NULL]');
    expect(field(arrayCol('float8'), '{NaN,Infinity,-Infinity,1.5}')).toBe('[nan,inf,-inf,1.5]');
    expect(field(arrayCol('date'), '{2026-01-02,NULL}')).toBe("['2026-01-02',NULL]");
    expect(field(arrayCol('timestamptz'), '{"2026-01-02 03:04:05.5+00"}')).toBe("['2026-01-02 03:04:05.500000']");
    expect(field(arrayCol('uuid'), '{a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11}')).toBe("['a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11']");
    expect(field(arrayCol('numeric'), '{1.50,NaN}')).toBe("['1.50','NaN']");
    expect(() => field(arrayCol('date'), '{1800-01-01}')).toThrow(TypeMappingError);
  });

  it('refuses multi-dimensional arrays, naming table and column', () => {
    expect(() => mapColumn('grid', arrayCol('int4', { name: 'cells' })).toField('{{1,2},{3,4}}')).toThrow(/grid\.cells: multi-dimensional arrays/);
  });
});

describe('type mapping: unsupported types', () => {
  it('stops with a TypeMappingError naming table.column and the type', () => {
    const point = () => mapColumn('depots', col('point', { name: 'location' }));
    expect(point).toThrow(TypeMappingError);
    expect(point).toThrow('depots.location: PostgreSQL type point has no ClickHouse mapping');
    expect(() => mapColumn('depots', arrayCol('point', { name: 'route' }))).toThrow('depots.route: PostgreSQL type point[] has no ClickHouse mapping');
    expect(() => mapColumn('depots', col('mood_range', { name: 'range', typeKind: 'r' }))).toThrow(/depots\.range/);
  });
});
