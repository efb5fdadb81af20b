// The package's main entry (`import … from 'hopae-secret-rotation'`): the construct and its public
// types, and nothing else. jsii makes exactly this the API of the Python (and Java, .NET, Go) package:
// only classes, interfaces of data, and enum-like classes; helpers stay in their modules.
export { RotationAlerts, type RotationAlertsProps } from './alerts';
export { AuditAlarms, type AuditAlarmsProps } from './audit-alarms';
export { RotationDashboard, type RotationDashboardProps } from './dashboard';
export { HopaeEnvironment } from './environment';
export { HopaeSecretRotationPropsError } from './errors';
export { type AuditSettings, FleetMonitoring, type FleetMonitoringProps } from './fleet-monitoring';
export { HopaeSecretRotation } from './hopae-secret-rotation';
export type { HopaeSecretRotationProps, HopaeServiceRefresh } from './props';
export { RotationAudit, type RotationAuditProps } from './rotation-audit';
export { HopaeRotationSchedule } from './schedule';
export { type ExistingSecretsManagerEndpointOptions, SecretsManagerEndpoint, type SecretsManagerInterfaceEndpointOptions } from './secrets-manager-endpoint';
export { ServiceRefresh, type ServiceRefreshProps, type ServiceRefreshTarget } from './service-refresh';
