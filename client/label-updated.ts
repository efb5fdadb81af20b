/**
 * Secrets Manager's EventBridge event when AWSCURRENT moves to a new version:
 * `{"source": "aws.secretsmanager", "detail-type": "Secret Label Updated",
 *   "resources": [secretArn], "detail": {"name", "labelUpdated", "versionId"}}`.
 */
export interface SecretLabelUpdatedEvent {
  readonly source?: string;
  readonly 'detail-type'?: string;
  readonly resources?: readonly string[];
  readonly detail?: { readonly name?: string; readonly labelUpdated?: string; readonly versionId?: string };
}

/**
 * Whether `event` says AWSCURRENT of the secret (`secretId`: its ARN or name) moved: the moment
 * to call `provider.invalidate()` so the next call reads the new pair.
 */
export function isCurrentLabelUpdate(event: SecretLabelUpdatedEvent, secretId: string): boolean {
  if (event.source !== 'aws.secretsmanager' || event['detail-type'] !== 'Secret Label Updated') return false;
  if (event.detail?.labelUpdated !== 'AWSCURRENT') return false;
  return event.detail.name === secretId || (event.resources ?? []).includes(secretId);
}
