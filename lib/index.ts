export * from './hopae-secret-rotation';
export * from './example-stack';
