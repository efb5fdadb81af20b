// The `hopae-rotation` executable: bundled by `npm run build` into dist/cli/hopae-rotation.cjs, which
// runs with plain `node` and needs none of this package's dependencies at run time.
import { quietOnClosedPipes } from './closed-pipes';
import { run } from './main';

quietOnClosedPipes();

// The SDK pinned here warns on Node 20 that its next releases need Node 22: noise for an operator.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

run(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    console.error(`hopae-rotation: unexpected failure: ${error instanceof Error ? error.message : String(error)}`);
    process.exitCode = 1;
  },
);
