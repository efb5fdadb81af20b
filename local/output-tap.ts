/**
 * Listens to what this process writes to stdout and stderr (where the function's Powertools
 * logger writes: errors go to stderr) without changing it: the rotation-service emulator copies
 * the function's log lines to CloudWatch Logs, as Lambda does. One wrapper per stream serves every
 * listener and goes away with the last.
 */
type Write = typeof process.stdout.write;

const listeners = new Set<(text: string) => void>();
let installed: { stream: NodeJS.WriteStream; wrapper: Write; original: Write }[] = [];

export function tapOutput(listener: (text: string) => void): () => void {
  listeners.add(listener);
  if (installed.length === 0) {
    installed = [process.stdout, process.stderr].map((stream) => {
      const original = stream.write;
      const wrapper = function (this: NodeJS.WriteStream, chunk: string | Uint8Array, ...rest: unknown[]): boolean {
        const text = typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
        for (const notify of listeners) notify(text);
        return (original as (...args: unknown[]) => boolean).call(this, chunk, ...rest);
      } as Write;
      stream.write = wrapper;
      return { stream, wrapper, original };
    });
  }
  return () => {
    listeners.delete(listener);
    if (listeners.size > 0) return;
    // Someone may have replaced write since (a test's capture); then leave theirs alone.
    for (const { stream, wrapper, original } of installed) if (stream.write === wrapper) stream.write = original;
    installed = [];
  };
}
