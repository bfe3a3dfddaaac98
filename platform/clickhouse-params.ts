import { formatQueryParams } from '@clickhouse/client-common';

/**
 * Query parameters written into the SQL as typed literals, for chDB only.
 *
 * Why: chdb 3.4 runs every parameterized query through one process-wide queue (its
 * parameter binding is not safe under concurrency), so a 20 ms board tile waited
 * behind each 300 ms step of the facts refresh and every detector query. A query
 * without parameters runs beside the others (on another connection: clickhouse.ts).
 * Each `{name:Type}` becomes `CAST('text' AS Type)`: a string as it is, any other
 * value as @clickhouse/client would send it to a server (arrays with their strings
 * quoted), and the literal escaped as ClickHouse reads string literals, so the value
 * can never leave its quotes.
 */
const PLACEHOLDER = /\{([A-Za-z_][A-Za-z0-9_]*):([^{}]+)\}/g;

export class QueryParamError extends Error {
  override name = 'QueryParamError';
}

/** A ClickHouse string literal holding `text`. */
export function stringLiteral(text: string): string {
  return `'${text.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

export function inlineQueryParams(query: string, params: Record<string, unknown>): string {
  return query.replace(PLACEHOLDER, (_, name: string, rawType: string) => {
    const type = rawType.trim();
    if (type === 'Identifier') throw new QueryParamError(`query parameter ${name}: Identifier parameters are not supported here`);
    if (!(name in params)) throw new QueryParamError(`query parameter ${name} (${type}) has no value`);
    const value = params[name];
    if (value === null || value === undefined) return `CAST(NULL AS ${type})`;
    // A top-level string is the text itself (CAST from String does not unescape); arrays keep the client's quoting.
    const text = typeof value === 'string' ? value : formatQueryParams({ value, wrapStringInQuotes: false, printNullAsKeyword: false });
    return `CAST(${stringLiteral(text)} AS ${type})`;
  });
}

type Method = 'query' | 'exec' | 'command' | 'insert';
const METHODS: readonly string[] = ['query', 'exec', 'command', 'insert'] satisfies Method[];

/** A connection whose calls carry their parameters inside the SQL instead of beside it. */
export function withInlinedParams<C extends object>(connection: C): C {
  return new Proxy(connection, {
    get(target, prop) {
      const member = Reflect.get(target, prop, target) as unknown;
      if (typeof member !== 'function') return member;
      if (typeof prop !== 'string' || !METHODS.includes(prop)) return member.bind(target);
      return (params: { query: string; query_params?: Record<string, unknown> }) => {
        const values = params.query_params;
        if (!values || Object.keys(values).length === 0) return member.call(target, params);
        return member.call(target, { ...params, query: inlineQueryParams(params.query, values), query_params: undefined });
      };
    }
  });
}
