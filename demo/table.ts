// The demo's tables: cli-table3 colours its header and borders by default, and its colour library
// looks only at TERM, so a demo piped into a file got escape codes. Colours only where
// colourWanted says so (a terminal without NO_COLOR, or FORCE_COLOR).
import Table from 'cli-table3';

const plain = { head: [] as string[], border: [] as string[] };

export function demoTable(head: string[], colour: boolean): InstanceType<typeof Table> {
  return new Table(colour ? { head } : { head, style: plain });
}
