// Names shared by the function and the construct. No imports: the construct's compiled JS loads this
// file, and the function's runtime libraries (Powertools, middy, the SDK) are not the package's dependencies.

/** POWERTOOLS_SERVICE_NAME of the function, so log lines say which function wrote them. */
export const SERVICE_NAME = 'hopae-secret-rotation';

/** CloudWatch namespace of the function's EMF metrics. */
export const METRICS_NAMESPACE = 'HopaeSecretRotation';
