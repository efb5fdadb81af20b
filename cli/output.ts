/** Human output (aligned tables, marks, colour only on a TTY) or JSON, to injected streams. */

export interface Stream {
  write(text: string): unknown;
  readonly isTTY?: boolean;
}

export class Output {
  constructor(
    readonly stdout: Stream,
    readonly stderr: Stream,
    readonly json: boolean,
    private readonly colour: boolean = stdout.isTTY === true && !process.env.NO_COLOR,
  ) {}

  line(text = ''): void {
    if (!this.json) this.stdout.write(`${text}\n`);
  }

  /** Progress and notes for people; never part of --json output. */
  note(text: string): void {
    if (!this.json) this.stderr.write(`${text}\n`);
  }

  error(text: string): void {
    this.stderr.write(`${this.paint('red', 'error')}: ${text}\n`);
  }

  /** The one JSON document a --json run prints. */
  result(value: unknown): void {
    if (this.json) this.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
  }

  table(headers: readonly string[], rows: readonly (readonly string[])[]): void {
    if (this.json) return;
    const widths = headers.map((header, i) => Math.max(visibleLength(header), ...rows.map((row) => visibleLength(row[i] ?? ''))));
    const render = (cells: readonly string[]) =>
      cells.map((cell, i) => (i === cells.length - 1 ? cell : cell + ' '.repeat(widths[i]! - visibleLength(cell)))).join('  ');
    this.line(this.paint('bold', render(headers)));
    for (const row of rows) this.line(render(row));
  }

  pass(text: string): string {
    return `${this.paint('green', '✔')} ${text}`;
  }

  fail(text: string): string {
    return `${this.paint('red', '✘')} ${text}`;
  }

  warn(text: string): string {
    return `${this.paint('yellow', '!')} ${text}`;
  }

  paint(style: 'red' | 'green' | 'yellow' | 'bold', text: string): string {
    if (!this.colour) return text;
    const codes = { red: 31, green: 32, yellow: 33, bold: 1 } as const;
    return `\u001b[${codes[style]}m${text}\u001b[0m`;
  }
}

function visibleLength(text: string): number {
  // eslint-disable-next-line no-control-regex
  return text.replace(/\u001b\[\d+m/g, '').length;
}

/** "2026-11-26 13:05 UTC" */
export function formatDate(date: Date | undefined): string {
  if (!date) return '-';
  return `${date.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

/** "12d 3h", "5h 2m", "40s" */
export function formatAge(ms: number | undefined): string {
  if (ms === undefined) return '-';
  const seconds = Math.max(0, Math.floor(ms / 1000));
  const days = Math.floor(seconds / 86_400);
  const hours = Math.floor((seconds % 86_400) / 3600);
  const minutes = Math.floor((seconds % 3600) / 60);
  if (days > 0) return `${days}d ${hours}h`;
  if (hours > 0) return `${hours}h ${minutes}m`;
  if (minutes > 0) return `${minutes}m`;
  return `${seconds}s`;
}
