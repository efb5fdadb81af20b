export * from './alerts';
export * from './errors';
export * from './example-stack';
export * from './hopae-secret-rotation';
export * from './permissions';
export * from './schedule';
