/**
 * A reader that goes away (`hopae-rotation status | head -1`, `npm run bench | head`) closes the
 * pipe: the next write fails with EPIPE, which Node raises as an unhandled 'error' event and a
 * stack trace. Like any Unix tool, end that output quietly instead: further writes go nowhere and
 * the command finishes with its own exit code. Any other stream error still surfaces.
 */
export function quietOnClosedPipes(streams: NodeJS.WriteStream[] = [process.stdout, process.stderr]): void {
  for (const stream of streams) {
    stream.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code !== 'EPIPE') throw error;
    });
  }
}
