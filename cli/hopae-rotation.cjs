#!/usr/bin/env node
// The `hopae-rotation` command: runs cli/main.ts through tsx, so the operator tool runs the same
// step code as the function without a build step.
'use strict';
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
require('tsx/cjs');
require('./main.ts')
  .run(process.argv.slice(2))
  .then((code) => {
    process.exitCode = code;
  });
