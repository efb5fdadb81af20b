import type { Log } from '../../lambda/logger';

export interface LoggedLine {
  level: 'debug' | 'info' | 'warn' | 'error';
  message: string;
  attributes: unknown[];
}

/** A Log that keeps lines in memory, for assertions on what would be logged. */
export class MemoryLogger implements Log {
  readonly lines: LoggedLine[] = [];
  readonly keys: Record<string, unknown> = {};

  debug = ((message: string, ...attributes: unknown[]) => this.push('debug', message, attributes)) as Log['debug'];
  info = ((message: string, ...attributes: unknown[]) => this.push('info', message, attributes)) as Log['info'];
  warn = ((message: string, ...attributes: unknown[]) => this.push('warn', message, attributes)) as Log['warn'];
  error = ((message: string, ...attributes: unknown[]) => this.push('error', message, attributes)) as Log['error'];
  appendKeys = ((attributes: Record<string, unknown>) => {
    Object.assign(this.keys, attributes);
  }) as Log['appendKeys'];

  /** Everything logged, as one string, for secret scans. */
  text(): string {
    return JSON.stringify({ lines: this.lines, keys: this.keys });
  }

  private push(level: LoggedLine['level'], message: string, attributes: unknown[]): void {
    this.lines.push({ level, message, attributes });
  }
}
