// The one printer: a command's result rendered as human tables, as JSON (--json) or as CSV
// (where the command offers it), from the same result object.
import Table from 'cli-table3';
import type { CliIo } from './context.js';
import type { Catalogue } from './i18n.js';

export type Block =
  | { kind: 'table'; head: string[]; rows: string[][]; empty?: string }
  | { kind: 'fields'; rows: Array<[string, string]> }
  | { kind: 'line'; text: string }
  | { kind: 'warning'; text: string };

export type CsvCell = string | number | null | undefined;

export interface CsvTable {
  head: string[];
  rows: CsvCell[][];
}

/** What every command returns: the machine form, the human form, and optionally a CSV form. */
export interface CommandResult {
  json: unknown;
  view: Block[];
  csv?: CsvTable;
  /** Human output written as it is instead of `view` (`loa schedule show --text`). */
  raw?: string;
  /** Exit status after printing (default 0): a validation that found errors is 1. */
  exitCode?: number;
}

export type Format = 'human' | 'json' | 'csv';

// No colours: the output is read in terminals, logs and e-mails alike.
const plainStyle = { head: [] as string[], border: [] as string[] };

function renderBlock(block: Block, t: Catalogue): string {
  switch (block.kind) {
    case 'line':
      return block.text;
    case 'warning':
      return `${t.warningPrefix}: ${block.text}`;
    case 'fields': {
      const table = new Table({ style: plainStyle });
      for (const [k, v] of block.rows) table.push({ [k]: v });
      return table.toString();
    }
    case 'table': {
      if (block.rows.length === 0 && block.empty) return block.empty;
      // Compact: no rule between rows, so a month of log entries stays readable.
      const table = new Table({ head: block.head, style: { ...plainStyle, compact: true } });
      table.push(...block.rows);
      return table.toString();
    }
  }
}

/** RFC 4180: quote a field holding a comma, quote, CR or LF, doubling its quotes. */
export function csvField(cell: CsvCell): string {
  const s = cell === null || cell === undefined ? '' : String(cell);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function toCsv(table: CsvTable): string {
  return `${[table.head, ...table.rows].map((row) => row.map(csvField).join(',')).join('\r\n')}\r\n`;
}

export function render(result: CommandResult, format: Format, t: Catalogue): string {
  if (format === 'json') return `${JSON.stringify(result.json, null, 2)}\n`;
  if (format === 'csv' && result.csv) return toCsv(result.csv);
  if (result.raw !== undefined) return result.raw;
  return `${result.view.map((b) => renderBlock(b, t)).join('\n')}\n`;
}

export function print(result: CommandResult, format: Format, io: CliIo, t: Catalogue): void {
  io.stdout.write(render(result, format, t));
}
