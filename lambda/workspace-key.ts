import { ConfigurationError } from './errors';
import { AWSCURRENT, SecretStore } from './secret-store';

/**
 * Reads the Hopae workspace API key from its own secret and keeps it for the container's life, so
 * a warm container reads it once. `invalidate()` drops it after Hopae refuses it, so an operator's
 * fix of the key secret takes effect on the next invocation.
 */
export class WorkspaceKeyProvider {
  private cached: Promise<string> | undefined;

  constructor(
    private readonly store: SecretStore,
    private readonly secretId: string,
  ) {}

  get(signal?: AbortSignal): Promise<string> {
    if (!this.cached) {
      this.cached = this.read(signal);
      // A failed read is not cached: the next call tries again.
      this.cached.catch(() => {
        this.cached = undefined;
      });
    }
    return this.cached;
  }

  invalidate(): void {
    this.cached = undefined;
  }

  private async read(signal?: AbortSignal): Promise<string> {
    let value: string | undefined;
    try {
      value = await this.store.getByStage(this.secretId, AWSCURRENT, signal);
    } catch (error) {
      const reason = error instanceof Error ? error.name : 'unknown error';
      throw new ConfigurationError(
        `Cannot read the Hopae workspace key secret ${this.secretId} (${reason}); check HOPAE_API_KEY_SECRET_ID and the function's permission to read it`,
        { cause: error },
      );
    }
    return parseWorkspaceKey(value, this.secretId);
  }
}

/** The key is stored either bare (`sk_workspace_...`) or as JSON `{"apiKey": "sk_workspace_..."}`. */
export function parseWorkspaceKey(secretString: string | undefined, secretId: string): string {
  const text = secretString?.trim() ?? '';
  let key = text;
  if (text.startsWith('{')) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      throw new ConfigurationError(`The workspace key secret ${secretId} looks like JSON but does not parse; store {"apiKey": "sk_workspace_..."} or the bare key`);
    }
    const apiKey = (parsed as { apiKey?: unknown }).apiKey;
    if (typeof apiKey !== 'string') {
      throw new ConfigurationError(`The workspace key secret ${secretId} is JSON without a string "apiKey"; store {"apiKey": "sk_workspace_..."} or the bare key`);
    }
    key = apiKey.trim();
  }
  if (key === '') {
    throw new ConfigurationError(`The workspace key secret ${secretId} is empty; store the Hopae workspace API key in it`);
  }
  // A key goes into an HTTP header: refuse what would break or split it.
  if (!/^[\x21-\x7e]+$/.test(key)) {
    throw new ConfigurationError(`The workspace key secret ${secretId} holds spaces, control or non-ASCII characters inside the key; store the key alone`);
  }
  return key;
}
