import { parse as parsePgArray } from 'postgres-array';

/**
 * The explicit mapping from PostgreSQL column types to ClickHouse column types,
 * and of each value from PostgreSQL's text output (what pgoutput and a plain
 * SELECT send) to a ClickHouse TabSeparated field. A type not listed here stops
 * the ingest with the table and column named: nothing is guessed or dropped.
 *
 * | PostgreSQL                         | ClickHouse                          |
 * |------------------------------------|-------------------------------------|
 * | boolean                            | Bool                                |
 * | smallint / integer / bigint        | Int16 / Int32 / Int64               |
 * | real / double precision            | Float32 / Float64                   |
 * | numeric(p,s), p <= 76              | Decimal(p,s)                        |
 * | numeric (no precision)             | String (exact decimal text)         |
 * | text, varchar, char, name, citext  | String                              |
 * | json, jsonb                        | String (PostgreSQL's JSON text)     |
 * | uuid                               | UUID                                |
 * | bytea                              | String (PostgreSQL's hex text)      |
 * | date                               | Date32                              |
 * | timestamptz, timestamp             | DateTime64(6, 'UTC')                |
 * | time, timetz, interval, inet, ...  | String (PostgreSQL's text)          |
 * | enum types                         | LowCardinality(String)              |
 * | domains                            | as their base type                  |
 * | one-dimensional arrays of the above| Array(Nullable(element))            |
 * | NULL-able columns (not arrays)     | Nullable(...)                       |
 *
 * A NULL array is stored as [] (ClickHouse arrays cannot be NULL).
 */

/** A column as the PostgreSQL catalog describes it. */
export interface PgColumn {
  name: string;
  /** pg_type.typname, e.g. int4, timestamptz, _int4 (array); a domain is resolved to its base. */
  typeName: string;
  /** pg_type.typtype of the (base) type: b base, e enum, ... */
  typeKind: string;
  /** For arrays: the element's typname and typtype. */
  elementTypeName: string | null;
  elementTypeKind: string | null;
  typeMod: number;
  /** pg_attribute.atttypid: what pgoutput's relation message names; a change means the column's type changed. */
  typeOid: number;
  notNull: boolean;
}

export interface ClickHouseColumn {
  name: string;
  /** The ClickHouse type in DDL. */
  type: string;
  /** PostgreSQL text value -> TabSeparated field (escaped). NULL is handled by the caller. */
  toField(text: string): string;
  /** The TabSeparated field written for this column in a tombstone (a deleted row). */
  defaultField: string;
  /** The TabSeparated field for SQL NULL. */
  nullField: string;
  /** True when two fields of this column are equal as values though the text may differ. */
  sameValue(a: string, b: string): boolean;
  /**
   * The field written by PostgreSQL: a SQL expression over the quoted column that yields
   * a TabSeparated field (never NULL) ClickHouse reads as the same value as toField's
   * (a timestamp's fraction may be shorter), so a backfill can format rows where they
   * are read. Absent (arrays) when only toField can write it.
   */
  sqlField?: (column: string) => string;
  /** A SQL condition true for a value toField would refuse (a backfill then lets toField name it). */
  sqlRefused?: (column: string) => string;
}

export class TypeMappingError extends Error {
  override name = 'TypeMappingError';
}

interface ScalarMapping {
  type: string;
  toField: (text: string) => string;
  /** Inside an array literal: quoted or bare. */
  toArrayElement: (text: string) => string;
  defaultValue: string;
  float?: boolean;
  /** toField in SQL over a non-NULL value (see ClickHouseColumn.sqlField). */
  sqlField: (column: string) => string;
  sqlRefused?: (column: string) => string;
}

// ClickHouse's own escaping of a String in TabSeparated (and inside quoted array elements): written
// the same way, a field the ingest builds equals what ClickHouse prints back, so keys and values compare as text.
const TSV_ESCAPES: Record<string, string> = { '\\': '\\\\', "'": "\\'", '\t': '\\t', '\n': '\\n', '\r': '\\r', '\0': '\\0', '\b': '\\b', '\f': '\\f' };
const TSV_SPECIAL = /[\\'\t\n\r\0\b\f]/;
const TSV_SPECIAL_ALL = /[\\'\t\n\r\0\b\f]/g;

/** Escapes a String for a TabSeparated field, as ClickHouse does. */
export function escapeTsv(text: string): string {
  return TSV_SPECIAL.test(text) ? text.replace(TSV_SPECIAL_ALL, (c) => TSV_ESCAPES[c]!) : text;
}

function quoteElement(text: string): string {
  return `'${escapeTsv(text)}'`;
}

/**
 * escapeTsv in SQL: the escapes ClickHouse needs to read the field back (its own
 * extra escapes of quote, backspace and form feed are optional when reading).
 */
const sqlEscaped = (text: string) => `replace(replace(replace(replace(${text}, '\\', '\\\\'), E'\\t', '\\t'), E'\\n', '\\n'), E'\\r', '\\r')`;
const asText = (column: string) => `${column}::text`;

const same = (text: string) => text;
const string: ScalarMapping = { type: 'String', toField: escapeTsv, toArrayElement: quoteElement, defaultValue: '', sqlField: (c) => sqlEscaped(asText(c)) };
const integer = (type: string): ScalarMapping => ({ type, toField: same, toArrayElement: same, defaultValue: '0', sqlField: asText });
/** Outside 1900-2299, as checkYear refuses (infinity and BC dates included). */
const outsideYears = (column: string) => `NOT (${column} >= '1900-01-01' AND ${column} < '2300-01-01')`;

function checkYear(text: string, what: string): void {
  const year = Number(text.slice(0, 4));
  // ClickHouse's Date32 and DateTime64 cover 1900-2299; outside it would clamp silently.
  // PostgreSQL writes years before Christ with a " BC" suffix: "2000-01-01 BC" is far outside.
  if (!/^\d{4}-/.test(text) || year < 1900 || year > 2299 || text.endsWith(' BC')) {
    throw new TypeMappingError(`${what} value "${text}" is outside ClickHouse's range (years 1900-2299)`);
  }
}

/** "2026-11-22 21:18:05.12+00" -> "2026-11-22 21:18:05.120000" (the session runs in UTC). */
function timestampField(text: string): string {
  checkYear(text, 'timestamp');
  let t = text;
  const zone = /[+-]\d\d(:\d\d)?$/.exec(t);
  if (zone) {
    if (!/^\+00(:00)?$/.test(zone[0])) throw new TypeMappingError(`timestamp "${text}" is not in UTC (the ingest session sets TimeZone=UTC)`);
    t = t.slice(0, zone.index);
  }
  const dot = t.indexOf('.', 19);
  return dot < 0 ? `${t}.000000` : `${t.slice(0, dot + 1)}${t.slice(dot + 1).padEnd(6, '0')}`;
}

const FLOAT_WORDS: Record<string, string> = { NaN: 'nan', Infinity: 'inf', '-Infinity': '-inf' };
const floatField = (text: string) => FLOAT_WORDS[text] ?? text;
const float = (type: string): ScalarMapping => ({
  type,
  toField: floatField,
  toArrayElement: floatField,
  defaultValue: '0',
  float: true,
  sqlField: (c) => `CASE ${c}::text WHEN 'NaN' THEN 'nan' WHEN 'Infinity' THEN 'inf' WHEN '-Infinity' THEN '-inf' ELSE ${c}::text END`
});

const TEXT_LIKE = new Set(['text', 'varchar', 'bpchar', 'name', 'citext', 'json', 'jsonb', 'bytea', 'time', 'timetz', 'interval', 'inet', 'cidr', 'macaddr', 'xml', 'money']);

function scalar(typeName: string, typeKind: string, typeMod: number): ScalarMapping | undefined {
  if (typeKind === 'e') return { ...string, type: 'LowCardinality(String)' };
  if (TEXT_LIKE.has(typeName)) return string;
  switch (typeName) {
    case 'bool': {
      const toField = (t: string) => (t === 't' ? 'true' : t === 'f' ? 'false' : badValue('boolean', t));
      return { type: 'Bool', toField, toArrayElement: toField, defaultValue: 'false', sqlField: (c) => `CASE WHEN ${c} THEN 'true' WHEN NOT ${c} THEN 'false' END` };
    }
    case 'int2':
      return integer('Int16');
    case 'int4':
      return integer('Int32');
    case 'int8':
      return integer('Int64');
    case 'oid':
      return integer('UInt32');
    case 'float4':
      return float('Float32');
    case 'float8':
      return float('Float64');
    case 'numeric': {
      if (typeMod < 0) return string; // unconstrained: exact text, no ClickHouse Decimal holds every value
      const precision = ((typeMod - 4) >> 16) & 0xffff;
      const scale = (typeMod - 4) & 0xffff;
      if (precision > 76) return string;
      const toField = (t: string) => (t === 'NaN' || t.includes('Infinity') ? badValue('numeric', t) : t);
      return {
        type: `Decimal(${precision}, ${scale})`,
        toField,
        toArrayElement: toField,
        defaultValue: '0',
        sqlField: asText,
        sqlRefused: (c) => `${c}::text IN ('NaN', 'Infinity', '-Infinity')`
      };
    }
    case 'uuid':
      return { type: 'UUID', toField: same, toArrayElement: quoteElement, defaultValue: '00000000-0000-0000-0000-000000000000', sqlField: asText };
    case 'date': {
      const toField = (t: string) => (checkYear(t, 'date'), t);
      return {
        type: 'Date32',
        toField,
        toArrayElement: (t) => quoteElement(toField(t)),
        defaultValue: '1970-01-01',
        sqlField: asText, // DateStyle ISO
        sqlRefused: outsideYears
      };
    }
    case 'timestamptz':
    case 'timestamp': {
      // A timestamptz compared with a bare date literal reads it in the session's zone: UTC, as checkYear sees the text.
      const utc = typeName === 'timestamptz' ? (c: string) => `${c} AT TIME ZONE 'UTC'` : (c: string) => c;
      return {
        type: "DateTime64(6, 'UTC')",
        toField: timestampField,
        toArrayElement: (t) => quoteElement(timestampField(t)),
        defaultValue: '1970-01-01 00:00:00.000000',
        // DateStyle ISO without the zone; ClickHouse reads the shorter fraction as timestampField pads it (to_char is 3x slower).
        sqlField: (c) => `(${utc(c)})::text`,
        sqlRefused: (c) => outsideYears(utc(c))
      };
    }
    default:
      return undefined;
  }
}

function badValue(type: string, text: string): never {
  throw new TypeMappingError(`${type} value "${text}" cannot be written to ClickHouse`);
}

const floatsEqual = (a: string, b: string) => a === b || Number(a) === Number(b) || (Number.isNaN(Number(a)) && Number.isNaN(Number(b)));

/** One PostgreSQL text value (or NULL) as the column's TabSeparated field. */
export function fieldOf(column: ClickHouseColumn, text: string | null | undefined): string {
  return text === null || text === undefined ? column.nullField : column.toField(text);
}

/** Maps one catalog column, or throws a TypeMappingError naming table and column. */
export function mapColumn(table: string, column: PgColumn): ClickHouseColumn {
  const unsupported = (type: string) =>
    new TypeMappingError(`${table}.${column.name}: PostgreSQL type ${type} has no ClickHouse mapping; add it to ingest/type-mapping.ts`);
  if (column.elementTypeName !== null) {
    const element = scalar(column.elementTypeName, column.elementTypeKind ?? 'b', -1);
    if (!element) throw unsupported(`${column.elementTypeName}[]`);
    const elementType = element.type.startsWith('LowCardinality') ? 'String' : element.type;
    return {
      name: column.name,
      type: `Array(Nullable(${elementType}))`,
      // Element strings are quoted and escaped inside the literal; TSV adds no second escaping.
      toField: (text) => arrayLiteral(table, column.name, text, element),
      defaultField: '[]',
      nullField: '[]',
      sameValue: (a, b) => a === b
    };
  }
  // A numeric(p,s) keeps its typmod; the element of an array does not (PostgreSQL drops it).
  const mapped = scalar(column.typeName, column.typeKind, column.typeMod);
  if (!mapped) throw unsupported(column.typeName);
  let type = mapped.type;
  if (!column.notNull) type = type.startsWith('LowCardinality(') ? `LowCardinality(Nullable(${type.slice(15, -1)}))` : `Nullable(${type})`;
  return {
    name: column.name,
    type,
    toField: mapped.toField,
    defaultField: column.notNull ? mapped.defaultValue : '\\N',
    nullField: '\\N',
    sameValue: mapped.float ? floatsEqual : (a, b) => a === b,
    sqlField: (c) => `COALESCE(${mapped.sqlField(c)}, '\\N')`,
    ...(mapped.sqlRefused ? { sqlRefused: mapped.sqlRefused } : {})
  };
}

function arrayLiteral(table: string, column: string, text: string, element: ScalarMapping): string {
  const parsed = parsePgArray(text, (v) => v) as unknown[];
  const parts = parsed.map((v) => {
    if (v === null) return 'NULL';
    if (Array.isArray(v)) throw new TypeMappingError(`${table}.${column}: multi-dimensional arrays have no ClickHouse mapping`);
    return element.toArrayElement(v as string);
  });
  return `[${parts.join(',')}]`;
}
