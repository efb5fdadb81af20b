import type { RotationRequest } from '../event';
import type { HopaeClient } from '../hopae/client';
import type { Log } from '../logger';
import type { RotationMetrics } from '../metrics';
import type { SecretMetadata, SecretStore } from '../secret-store';
import type { WorkspaceKeyProvider } from '../workspace-key';

/** The long-lived collaborators of every step, built once per container. */
export interface StepDependencies {
  readonly store: SecretStore;
  readonly hopae: HopaeClient;
  readonly workspaceKey: WorkspaceKeyProvider;
  readonly logger: Log;
  readonly metrics: RotationMetrics;
}

/** What one invocation knows when its step starts. */
export interface StepInput {
  readonly request: RotationRequest;
  /** DescribeSecret's answer, read by the pre-checks. */
  readonly metadata: SecretMetadata;
  /** Epoch ms by which calls to Hopae must end, leaving time to store their result. */
  readonly hopaeDeadline: number;
  /** Aborted just before the Lambda times out. */
  readonly signal?: AbortSignal;
}

/** How a step ended, for logs and for callers such as the local runner. */
export type StepOutcome =
  | 'created'
  | 'already-created'
  | 'nothing-to-set'
  | 'pending-verified'
  | 'current-verified'
  | 'nothing-to-verify'
  | 'finished'
  | 'already-current';
