/** Captures everything written to stdout and stderr (where Powertools and Lambda logs go). */
export class OutputCapture {
  private chunks: string[] = [];
  private readonly restores: Array<() => void> = [];

  /** Starts a fresh capture. */
  start(): this {
    this.chunks = [];
    for (const stream of [process.stdout, process.stderr]) {
      const original = stream.write;
      stream.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
        this.chunks.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
        const callback = rest.find((arg) => typeof arg === 'function') as (() => void) | undefined;
        callback?.();
        return true;
      }) as typeof stream.write;
      this.restores.push(() => {
        stream.write = original;
      });
    }
    return this;
  }

  stop(): void {
    for (const restore of this.restores.splice(0)) restore();
  }

  /** Adds output written elsewhere (e.g. by a child process). */
  append(text: string): void {
    this.chunks.push(text);
  }

  text(): string {
    return this.chunks.join('');
  }

  /** The JSON log records written so far. */
  records(): Array<Record<string, unknown>> {
    return this.text()
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as Record<string, unknown>);
  }

  clear(): void {
    this.chunks = [];
  }
}
