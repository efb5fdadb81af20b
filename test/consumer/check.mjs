// An ES module application imports the client library; an ESM CDK app imports the construct.
import assert from 'node:assert/strict';
import { HopaeCredentialsProvider, createHopaeFetch, isCurrentLabelUpdate } from 'hopae-secret-rotation/client';
import { HopaeSecretRotation, HopaeRotationSchedule } from 'hopae-secret-rotation';
assert.equal(typeof HopaeCredentialsProvider, 'function');
assert.equal(typeof createHopaeFetch, 'function');
assert.equal(typeof isCurrentLabelUpdate, 'function');
assert.equal(typeof HopaeSecretRotation, 'function');
assert.equal(typeof HopaeRotationSchedule.cron, 'function');
console.log('import: ok');
