// A stand-in for one Lambda execution environment: loads a bundled handler once (cold start), then
// serves invocations sent over IPC, as the Lambda runtime loop does. Plain JavaScript on purpose:
// what runs here is exactly the bundle, with no test transform in between.
'use strict';
const { handler } = require(process.argv[2]);

process.on('message', async ({ id, event, timeoutMs }) => {
  const deadline = Date.now() + timeoutMs;
  const context = {
    functionName: 'hopae-secret-rotation-bundle',
    functionVersion: '$LATEST',
    invokedFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:hopae-secret-rotation-bundle',
    memoryLimitInMB: '256',
    awsRequestId: `req-${id}`,
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
  };
  try {
    const result = await handler(event, context);
    process.send({ id, result });
  } catch (error) {
    process.send({ id, error: { name: error.name, message: error.message } });
  }
});
process.send({ ready: true });
