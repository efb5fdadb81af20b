// An ES module application imports the client library; an ESM CDK app imports the construct.
import assert from 'node:assert/strict';
import { HopaeCredentialsProvider, createHopaeFetch, isCurrentLabelUpdate } from 'hopae-secret-rotation-client';
import { HopaeEnvironment, HopaeSecretRotation, HopaeRotationSchedule } from 'hopae-secret-rotation';
assert.equal(typeof HopaeCredentialsProvider, 'function');
assert.equal(typeof createHopaeFetch, 'function');
assert.equal(typeof isCurrentLabelUpdate, 'function');
assert.equal(typeof HopaeSecretRotation, 'function');
assert.equal(typeof HopaeRotationSchedule.cron, 'function');
assert.equal(HopaeEnvironment.PRODUCTION.apiBaseUrl, 'https://api.hopae.com/connect/v1');
console.log('import: ok');
