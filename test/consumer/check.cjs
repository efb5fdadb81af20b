// Older CommonJS apps (ts-node era) `require` the package and its client.
'use strict';
const assert = require('node:assert/strict');
const main = require('hopae-secret-rotation');
const client = require('hopae-secret-rotation-client');
assert.equal(typeof main.HopaeSecretRotation, 'function');
assert.equal(typeof main.HopaeRotationSchedule.rate, 'function');
assert.equal(typeof main.HopaeSecretRotationPropsError, 'function');
assert.equal(main.HopaeEnvironment.SANDBOX.name, 'sandbox');
assert.equal(typeof client.HopaeCredentialsProvider, 'function');
assert.equal(typeof client.createHopaeFetch, 'function');
console.log('require: ok');
