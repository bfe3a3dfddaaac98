/**
 * A small RFC 4180 CSV parser. Written here rather than taken from a library:
 * no CSV library is installed, and the format is small enough that a hundred
 * lines, tested beside it (csv.test.ts), cost less than a new dependency.
 *
 * What it accepts: fields separated by commas; records separated by CRLF, LF or
 * a lone CR; quoted fields ("...") that may hold commas, line breaks and doubled
 * quotes (""); a UTF-8 byte order mark at the start (spreadsheets write one); a
 * last record with or without a line break after it.
 * What it reports (and keeps going where it can): a quote inside an unquoted
 * field, text after a closing quote, a quoted field that is never closed.
 * Every record carries the file line it starts on (1-based), so errors point to
 * the line a person sees in an editor even when a quoted field spans lines.
 */

export interface CsvRecord {
  /** The file line the record starts on (1-based). */
  line: number;
  fields: string[];
}

export interface CsvIssue {
  line: number;
  /** 1-based field position in its record. */
  field: number;
  message: string;
}

export interface CsvParseResult {
  records: CsvRecord[];
  issues: CsvIssue[];
}

const QUOTE = '"';

export function parseCsv(text: string, delimiter = ','): CsvParseResult {
  if (delimiter.length !== 1 || delimiter === QUOTE || delimiter === '\r' || delimiter === '\n') {
    throw new Error('the delimiter must be one character other than a quote or a line break');
  }
  const records: CsvRecord[] = [];
  const issues: CsvIssue[] = [];
  const n = text.length;
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  let line = 1;
  let recordLine = 1;
  let fields: string[] = [];
  const isBreak = (c: string | undefined) => c === '\r' || c === '\n';

  while (i < n) {
    const fieldLine = line;
    let value = '';
    if (text[i] === QUOTE) {
      i++;
      let closed = false;
      while (i < n) {
        const c = text[i]!;
        if (c === QUOTE) {
          if (text[i + 1] === QUOTE) {
            value += QUOTE;
            i += 2;
            continue;
          }
          i++;
          closed = true;
          break;
        }
        // Line breaks inside quotes belong to the value but still advance the file line.
        if (c === '\n' || (c === '\r' && text[i + 1] !== '\n')) line++;
        value += c;
        i++;
      }
      if (!closed) {
        issues.push({ line: fieldLine, field: fields.length + 1, message: 'a quoted field is never closed (a " is missing)' });
      } else {
        const start = i;
        while (i < n && text[i] !== delimiter && !isBreak(text[i])) i++;
        if (i > start) {
          issues.push({ line: fieldLine, field: fields.length + 1, message: 'text after the closing quote of a quoted field' });
          value += text.slice(start, i);
        }
      }
    } else {
      const start = i;
      while (i < n && text[i] !== delimiter && !isBreak(text[i])) i++;
      value = text.slice(start, i);
      if (value.includes(QUOTE)) {
        issues.push({ line: fieldLine, field: fields.length + 1, message: 'a quote inside an unquoted field: quote the whole field and double the quote ("")' });
      }
    }
    fields.push(value);

    if (i >= n) break;
    if (text[i] === delimiter) {
      i++;
      if (i >= n) fields.push(''); // "a,b," ends with an empty field
      continue;
    }
    // A record ends at CRLF, LF or a lone CR.
    i += text[i] === '\r' && text[i + 1] === '\n' ? 2 : 1;
    line++;
    records.push({ line: recordLine, fields });
    fields = [];
    recordLine = line;
  }
  if (fields.length > 0) records.push({ line: recordLine, fields });
  return { records, issues };
}

/** A record that is a blank line (one empty field); importers skip these. */
export function isBlankRecord(record: CsvRecord): boolean {
  return record.fields.length === 1 && record.fields[0]!.trim() === '';
}
