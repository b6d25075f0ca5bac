/**
 * CSV as spreadsheets write it (RFC 4180): comma separated, fields in double quotes when they
 * hold commas, quotes (doubled) or line breaks, lines ended by LF or CRLF. Each record keeps
 * the line it starts on, so every problem can be reported by line number.
 *
 * @module
 */

/** One record and where it starts. */
export interface CsvRecord {
  /** 1-based line number of the record's first line. */
  line: number;
  fields: string[];
}

/** A record that cannot be read (an unclosed quote, text after a closing quote). */
export interface CsvProblem {
  line: number;
  problem: string;
}

/**
 * Splits `text` into records; a broken record is reported and skipped, the others still read.
 * Empty lines are skipped. A leading byte order mark is dropped.
 */
export function parseCsv(text: string): { records: CsvRecord[]; problems: CsvProblem[] } {
  const records: CsvRecord[] = [];
  const problems: CsvProblem[] = [];
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  let line = 1;
  while (i < text.length) {
    const start = line;
    const fields: string[] = [];
    let field = "";
    let broken: string | null = null;
    let quoted = false;
    let afterQuote = false;
    let ended = false;
    while (i < text.length && !ended) {
      const c = text[i];
      if (quoted) {
        if (c === '"') {
          if (text[i + 1] === '"') {
            field += '"';
            i += 2;
            continue;
          }
          quoted = false;
          afterQuote = true;
        } else {
          if (c === "\n") line++;
          field += c;
        }
        i++;
        continue;
      }
      if (c === ",") {
        fields.push(field);
        field = "";
        afterQuote = false;
      } else if (c === "\n" || (c === "\r" && text[i + 1] === "\n")) {
        i += c === "\r" ? 1 : 0;
        line++;
        ended = true;
      } else if (c === '"' && field === "" && !afterQuote) {
        quoted = true;
      } else if (afterQuote) {
        broken ??= `text after a closing quote in field ${fields.length + 1}`;
      } else {
        field += c;
      }
      i++;
    }
    if (quoted) {
      problems.push({ line: start, problem: "a quoted field is never closed" });
      break;
    }
    fields.push(field);
    if (broken) problems.push({ line: start, problem: broken });
    else if (!(fields.length === 1 && fields[0] === "")) records.push({ line: start, fields });
  }
  return { records, problems };
}
