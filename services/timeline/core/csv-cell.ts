import { showControls } from '../../../shared/text/visible-controls.js';

// CSV cells per RFC 4180 (section 2: fields holding a comma, a double quote, CR or LF are enclosed in double
// quotes, and a double quote inside is doubled), with spreadsheet formula injection neutralized first: a cell
// that starts with `=`, `+`, `-`, `@`, tab or CR is prefixed with `'` (OWASP "CSV Injection"), so
// `=cmd|' /C calc'!A0` from a log line stays text when someone opens the export in a spreadsheet.

const FORMULA_START = /^[=+\-@\t\r]/;
const NEEDS_QUOTES = /[",\r\n]/;

export function neutralizeFormula(text: string): string {
  return FORMULA_START.test(text) ? `'${text}` : text;
}

export function formatCsvCell(value: string | number): string {
  if (typeof value === 'number') return String(value);
  // Controls and bidi overrides as visible `\uXXXX`: a CSV is often shown in a terminal (`--out -`, `cat`).
  const safe = neutralizeFormula(showControls(value));
  return NEEDS_QUOTES.test(safe) || FORMULA_START.test(value) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

export function formatCsvLine(values: readonly (string | number)[]): string {
  return `${values.map(formatCsvCell).join(',')}\r\n`;
}
