// The package's main entry (`import … from 'hopae-secret-rotation'`): the construct and its public types.
export * from './alerts';
export * from './errors';
export * from './hopae-secret-rotation';
export * from './props';
export * from './schedule';
export * from './audit-alarms';
export * from './dashboard';
export * from './fleet-monitoring';
export * from './rotation-audit';
export * from './schedule-spread';
export * from './service-refresh';
