/**
 * CSV records (RFC 4180) from text that arrives in chunks, for the order-history import: the
 * hottest loop of an import of millions of rows. It reads what csv-parse read with the options
 * the import used (bom, relax_column_count, skip_empty_lines, relax_quotes, no trimming) at a
 * fraction of its cost: a quote-free line is cut with indexOf, and no Buffer is sliced per field.
 *
 * - A field that starts with a double quote is quoted: it may hold commas, line breaks and
 *   doubled quotes ("" for "); a quote left open at the end of the file is CSV_QUOTE_NOT_CLOSED.
 * - A quote inside an unquoted field is an ordinary character, and so are the quotes of a field
 *   like "a"b (text after the closing quote): it is read up to the next comma as it is written.
 * - Lines end with \n, \r\n or \r; an empty line is skipped, not a record.
 * - Records may have any number of fields (the caller checks the columns it needs).
 */

export class CsvFormatError extends Error {
  constructor(
    readonly code: "CSV_QUOTE_NOT_CLOSED",
    message: string,
  ) {
    super(message);
    this.name = "CsvFormatError";
  }
}

const COMMA = 44;
const QUOTE = 34;
const LF = 10;
const CR = 13;

function indexOrEnd(text: string, search: string, from: number): number {
  const at = text.indexOf(search, from);
  return at === -1 ? text.length : at;
}

export class CsvRecordReader {
  private pending = "";
  private started = false;
  /** records returned so far (the header is record 1), for error messages */
  private records = 0;

  /** The complete records in `chunk` (plus what an earlier chunk left unfinished). */
  push(chunk: string): string[][] {
    let text = this.pending ? this.pending + chunk : chunk;
    if (!this.started && text.length) {
      this.started = true;
      if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    }
    const out: string[][] = [];
    this.pending = text.slice(this.read(text, false, out));
    return out;
  }

  /** The last record (a file need not end with a line break); throws on a quote left open. */
  end(): string[][] {
    const out: string[][] = [];
    const text = this.pending;
    this.pending = "";
    this.read(text, true, out);
    return out;
  }

  /** Reads whole records from `text` into `out`; returns where the unfinished rest starts. */
  private read(text: string, final: boolean, out: string[][]): number {
    const length = text.length;
    let start = 0;
    // Where the next quote and \r are (length when none): found once and again only after a
    // record passes them, so a file without any costs one scan, not one per line.
    let nextQuote = -1;
    let nextCr = -1;
    while (start < length) {
      if (nextQuote < start) nextQuote = indexOrEnd(text, '"', start);
      if (nextCr < start) nextCr = indexOrEnd(text, "\r", start);
      const first = text.charCodeAt(start);
      if (first === LF || first === CR) {
        // An empty line; a \r at the very end may be the first half of a \r\n.
        if (first === CR && start + 1 === length && !final) return start;
        start += first === CR && text.charCodeAt(start + 1) === LF ? 2 : 1;
        continue;
      }
      let lineEnd = text.indexOf("\n", start);
      if (lineEnd === -1) {
        if (!final && nextCr === length) return start; // the rest of the line is still to come
        lineEnd = length;
      }
      if (nextQuote >= lineEnd && (nextCr >= lineEnd || (nextCr === lineEnd - 1 && lineEnd < length))) {
        // The common case: no quote on the line, and no \r but the one of a \r\n.
        out.push(text.slice(start, nextCr === lineEnd - 1 ? lineEnd - 1 : lineEnd).split(","));
        this.records++;
        start = lineEnd + 1;
        continue;
      }
      const next = this.readSlow(text, start, final, out);
      if (next === -1) return start;
      start = next;
    }
    return start;
  }

  /** One record character by character (quotes or \r); -1 when it continues past the text. */
  private readSlow(text: string, start: number, final: boolean, out: string[][]): number {
    const length = text.length;
    const fields: string[] = [];
    let i = start;
    for (;;) {
      const fieldStart = i;
      let quoted = false;
      if (i < length && text.charCodeAt(i) === QUOTE) {
        let value = "";
        let from = i + 1;
        for (;;) {
          const close = text.indexOf('"', from);
          if (close === -1) {
            if (!final) return -1;
            throw new CsvFormatError("CSV_QUOTE_NOT_CLOSED", `Quote not closed: the quoted field that starts in record ${this.records + 1} has no closing quote.`);
          }
          if (close + 1 === length && !final) return -1;
          if (text.charCodeAt(close + 1) === QUOTE) {
            value += text.slice(from, close + 1);
            from = close + 2;
            continue;
          }
          value += text.slice(from, close);
          i = close + 1;
          break;
        }
        const c = i < length ? text.charCodeAt(i) : -1;
        if (c === COMMA || c === LF || c === CR || c === -1) {
          quoted = true;
          fields.push(value);
          if (c === COMMA) {
            i++;
            continue;
          }
        } else i = fieldStart; // "a"b is not quoting: the quotes are data, as csv-parse's relax_quotes reads them
      }
      if (!quoted) {
        let j = i;
        let c = -1;
        while (j < length) {
          c = text.charCodeAt(j);
          if (c === COMMA || c === LF || c === CR) break;
          j++;
        }
        if (j === length) c = -1;
        fields.push(text.slice(i, j));
        i = j;
        if (c === COMMA) {
          i++;
          continue;
        }
      }
      // End of the record: a line break, or the end of the text.
      if (i >= length) {
        if (!final) return -1;
        out.push(fields);
        this.records++;
        return length;
      }
      const c = text.charCodeAt(i);
      if (c === CR) {
        if (i + 1 === length && !final) return -1;
        i += text.charCodeAt(i + 1) === LF ? 2 : 1;
      } else i++;
      out.push(fields);
      this.records++;
      return i;
    }
  }
}
