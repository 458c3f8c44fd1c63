/**
 * CSV as RFC 4180 writes it: fields separated by commas, rows ended by CRLF, a field quoted when
 * it holds a comma, a quote, CR or LF, and a quote inside doubled. A field a spreadsheet would
 * run as a formula (starting with = + - @, tab or CR) is prefixed with a single quote, so an
 * exported record opened in Excel or LibreOffice shows what was recorded and runs nothing.
 */
export type CsvValue = string | number | boolean | null | undefined;

const FORMULA = /^[=+\-@\t\r]/;
const NEEDS_QUOTES = /[",\r\n]/;

export function csvCell(value: CsvValue): string {
  if (value === null || value === undefined) return '';
  let s = String(value);
  if (typeof value === 'string' && FORMULA.test(s)) s = `'${s}`;
  return NEEDS_QUOTES.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function csvRow(values: readonly CsvValue[]): string {
  return `${values.map(csvCell).join(',')}\r\n`;
}
