/**
 * Listens to what this process writes to stdout (where the function's Powertools logger writes)
 * without changing it: the rotation-service emulator copies the function's log lines to
 * CloudWatch Logs, as Lambda does. One wrapper serves every listener and goes away with the last.
 */
const listeners = new Set<(text: string) => void>();
let installed: { wrapper: typeof process.stdout.write; original: typeof process.stdout.write } | undefined;

export function tapStdout(listener: (text: string) => void): () => void {
  listeners.add(listener);
  if (!installed) {
    const original = process.stdout.write;
    const wrapper = function (this: NodeJS.WriteStream, chunk: string | Uint8Array, ...rest: unknown[]): boolean {
      const text = typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
      for (const notify of listeners) notify(text);
      return (original as (...args: unknown[]) => boolean).call(this, chunk, ...rest);
    } as typeof process.stdout.write;
    process.stdout.write = wrapper;
    installed = { wrapper, original };
  }
  return () => {
    listeners.delete(listener);
    if (listeners.size === 0 && installed) {
      // Someone may have replaced stdout.write since (a test's capture); then leave theirs alone.
      if (process.stdout.write === installed.wrapper) process.stdout.write = installed.original;
      installed = undefined;
    }
  };
}
