import { OutputCapture } from './capture-output';

/** Reads CloudWatch Embedded Metric Format lines back into metrics, as CloudWatch would. */
export interface EmfLine {
  _aws: { CloudWatchMetrics: Array<{ Namespace: string; Dimensions: string[][]; Metrics: Array<{ Name: string; Unit: string }> }> };
  [key: string]: unknown;
}

export interface EmittedMetric {
  readonly namespace: string;
  readonly name: string;
  /** Dimension name → value, as one CloudWatch metric is identified. */
  readonly dimensions: Readonly<Record<string, string>>;
  readonly value: unknown;
}

/** The EMF lines among captured output records. */
export function emfLines(records: ReadonlyArray<Record<string, unknown>>): EmfLine[] {
  return records.filter((record) => '_aws' in record) as unknown as EmfLine[];
}

/** Every metric the lines define: one per metric name and dimension set, with its value. */
export function emittedMetrics(records: ReadonlyArray<Record<string, unknown>>): EmittedMetric[] {
  return emfLines(records).flatMap((line) =>
    line._aws.CloudWatchMetrics.flatMap((directive) =>
      directive.Dimensions.flatMap((dimensionSet) =>
        directive.Metrics.map((metric) => ({
          namespace: directive.Namespace,
          name: metric.Name,
          dimensions: Object.fromEntries(dimensionSet.map((dimension) => [dimension, String(line[dimension])])),
          value: line[metric.Name],
        })),
      ),
    ),
  );
}

/**
 * Captures stdout/stderr around each test of the calling describe block, with Powertools metrics
 * enabled (not disabled, not in dev mode), so EMF lines can be read back.
 */
export function captureEmfOutput(): OutputCapture {
  const output = new OutputCapture();
  beforeEach(() => {
    delete process.env.POWERTOOLS_METRICS_DISABLED;
    delete process.env.POWERTOOLS_DEV;
    output.start();
  });
  afterEach(() => output.stop());
  return output;
}
