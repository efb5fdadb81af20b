/**
 * Read-only questions to Hopae for the operator: is the workspace key valid, does the app exist,
 * does a clientId/clientSecret pair work. Never rotates.
 */
import { parseApiBaseUrl } from '../lambda/config';
import type { HttpTransport } from '../lambda/hopae/http';
import { TransportError } from '../lambda/hopae/http';
import { describeErrorResponse, parseJson } from '../lambda/hopae/response-body';
import { CliError, EXIT } from './errors';
import type { HopaeAccess } from './secrets';

export type ProbeResult =
  | { readonly ok: true }
  /** Hopae said no (401 or 404). */
  | { readonly ok: false; readonly refused: true; readonly label: string }
  /** No usable answer: network, timeout, 5xx, anything unexpected. */
  | { readonly ok: false; readonly refused: false; readonly label: string };

const TIMEOUT_MS = 10_000;

export class HopaeProbe {
  private readonly baseUrl: string;

  constructor(
    private readonly transport: HttpTransport,
    apiBaseUrl: string,
  ) {
    this.baseUrl = parseApiBaseUrl(apiBaseUrl);
  }

  /** GET /workspace: the cheapest check that a workspace key works. */
  workspace(apiKey: string): Promise<ProbeResult> {
    return this.get('/workspace', `Bearer ${apiKey}`, (status) => status === 401);
  }

  /** GET /apps/{clientId}: whether the app exists in the key's workspace. */
  app(apiKey: string, clientId: string): Promise<ProbeResult> {
    return this.get(`/apps/${encodeURIComponent(clientId)}`, `Bearer ${apiKey}`, (status) => status === 401 || status === 404);
  }

  /** GET /providers with Basic auth: whether Hopae accepts the pair now. */
  pair(clientId: string, clientSecret: string): Promise<ProbeResult> {
    const basic = Buffer.from(`${clientId}:${clientSecret}`, 'utf8').toString('base64');
    return this.get('/providers', `Basic ${basic}`, (status) => status === 401, (body) => Array.isArray(parseJson(body)));
  }

  private async get(
    path: string,
    authorization: string,
    isRefusal: (status: number) => boolean,
    validBody: (body: string) => boolean = () => true,
  ): Promise<ProbeResult> {
    try {
      const response = await this.transport({
        method: 'GET',
        url: `${this.baseUrl}${path}`,
        headers: { Authorization: authorization, Accept: 'application/json' },
        timeoutMs: TIMEOUT_MS,
      });
      if (response.status === 200 && validBody(response.body)) return { ok: true };
      const { label } = describeErrorResponse(response.status, response.status === 200 ? '' : response.body);
      return { ok: false, refused: isRefusal(response.status), label: response.status === 200 ? '200 with an unexpected body' : label };
    } catch (error) {
      if (error instanceof TransportError) return { ok: false, refused: false, label: error.message };
      throw error;
    }
  }
}

/**
 * A probe for the Hopae the operator's access points at. A bad URL is bad input (exit 2), blamed
 * on where it came from (--api-base-url, the operator's environment, or the function's).
 */
export function probeFor(transport: HttpTransport, access: HopaeAccess): HopaeProbe {
  try {
    return new HopaeProbe(transport, access.apiBaseUrl);
  } catch (error) {
    throw new CliError((error as Error).message.replace(/^HOPAE_API_BASE_URL\b/, access.apiBaseUrlSource), EXIT.USAGE);
  }
}
