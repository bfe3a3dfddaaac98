import { describe, expect, it } from 'vitest';
import { inlineQueryParams, QueryParamError } from './clickhouse-params';

describe('query parameters inlined as literals', () => {
  it('refuses a placeholder without a value, and identifiers', () => {
    expect(() => inlineQueryParams('SELECT {a:Int64}', {})).toThrow(QueryParamError);
    expect(() => inlineQueryParams('SELECT * FROM {t:Identifier}', { t: 'x' })).toThrow(/Identifier/);
  });

  it('leaves SQL without placeholders as it is', () => {
    expect(inlineQueryParams("SELECT '{not a placeholder}', {}", { a: 1 })).toBe("SELECT '{not a placeholder}', {}");
  });
});
