import { describe, expect, it } from 'vitest';
import { isBlankRecord, parseCsv } from './csv';

const fields = (text: string) => parseCsv(text).records.map((r) => r.fields);

describe('parseCsv (RFC 4180)', () => {
  it('splits plain fields and records', () => {
    expect(fields('a,b,c\n1,2,3\n')).toEqual([
      ['a', 'b', 'c'],
      ['1', '2', '3']
    ]);
  });

  it('accepts CRLF, LF and lone CR, and a last record without a line break', () => {
    expect(fields('a,b\r\n1,2\r\n3,4')).toEqual([
      ['a', 'b'],
      ['1', '2'],
      ['3', '4']
    ]);
    expect(fields('a\rb\r')).toEqual([['a'], ['b']]);
  });

  it('keeps commas, doubled quotes and line breaks inside quoted fields', () => {
    const { records, issues } = parseCsv('sku,name\r\n"X-1","Bolt, 10 mm ""heavy"""\r\n"X-2","two\r\nlines"\r\nX-3,plain\r\n');
    expect(issues).toEqual([]);
    expect(records).toEqual([
      { line: 1, fields: ['sku', 'name'] },
      { line: 2, fields: ['X-1', 'Bolt, 10 mm "heavy"'] },
      { line: 3, fields: ['X-2', 'two\r\nlines'] },
      // the quoted line break moved the file line on: X-3 is on line 5
      { line: 5, fields: ['X-3', 'plain'] }
    ]);
  });

  it('keeps empty fields, including a trailing one and an empty quoted one', () => {
    expect(fields('a,,c\n,"",\n')).toEqual([
      ['a', '', 'c'],
      ['', '', '']
    ]);
    expect(fields('a,b,')).toEqual([['a', 'b', '']]);
  });

  it('drops a byte order mark and reports blank lines as blank records', () => {
    const { records } = parseCsv('\uFEFFsku\n\nX\n');
    expect(records.map((r) => r.fields)).toEqual([['sku'], [''], ['X']]);
    expect(records.map(isBlankRecord)).toEqual([false, true, false]);
    expect(records[2]!.line).toBe(3);
  });

  it('parses nothing from an empty text', () => {
    expect(parseCsv('')).toEqual({ records: [], issues: [] });
  });

  it('reports malformed quoting with line and field', () => {
    expect(parseCsv('a,b\n1,x"y\n').issues).toEqual([{ line: 2, field: 2, message: expect.stringMatching(/quote inside an unquoted field/) }]);
    expect(parseCsv('a,b\n"1"x,2\n').issues).toEqual([{ line: 2, field: 1, message: expect.stringMatching(/after the closing quote/) }]);
    const open = parseCsv('a,b\n1,2\n3,"never\nclosed\n');
    expect(open.issues).toEqual([{ line: 3, field: 2, message: expect.stringMatching(/never closed/) }]);
    expect(open.records[1]!.fields).toEqual(['1', '2']);
  });

  it('takes another delimiter when asked', () => {
    expect(fields('a;"b;c"\n')).toEqual([['a;"b;c"']]);
    expect(parseCsv('a;"b;c"\n', ';').records[0]!.fields).toEqual(['a', 'b;c']);
  });
});
