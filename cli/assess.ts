/**
 * What `doctor` and `recover` both need to place a secret in the state table: the verdict on each
 * candidate version, what the function logged about the unfinished rotation, the one in-flight
 * threshold, and which Hopae the verdicts come from.
 */
import type { CommandContext } from './context';
import { readRotationLog } from './function-log';
import type { HopaeProbe } from './hopae-probe';
import type { Output } from './output';
import { attemptHistory, type Candidate, classifyVersions, HOPAE_REPLAY_MS, judgeVersions, NO_HISTORY, type Row } from './rotation-state';
import { type FunctionInfo, functionName, type HopaeAccess, resolveStuckAfter, type SecretState, type StuckAfter } from './secrets';

// Log lines of a rotation are newer than its version, less a few minutes: clocks differ.
const LOG_SKEW_MS = 5 * 60_000;

export interface Assessment {
  readonly candidates: Candidate[];
  readonly row: Row;
  readonly stuckAfter: StuckAfter;
}

export async function assessVersions(
  context: CommandContext,
  state: SecretState,
  fn: FunctionInfo,
  probe: HopaeProbe,
  stuckAfterMinutes: number | undefined,
): Promise<Assessment> {
  const { deps } = context;
  const stuckAfter = resolveStuckAfter(stuckAfterMinutes, fn);
  const candidates = await judgeVersions(deps.sm, probe, state);
  const pending = state.pending;
  const since = (pending?.created?.getTime() ?? deps.now() - HOPAE_REPLAY_MS) - LOG_SKEW_MS;
  const history = pending ? attemptHistory(await readRotationLog(deps.logs, fn.logGroup, pending.id, since)) : NO_HISTORY;
  return { candidates, row: classifyVersions(state, candidates, deps.now(), { stuckAfter, history }), stuckAfter };
}

/** The Hopae the verdicts come from, in JSON output. */
export interface HopaeUsed {
  readonly apiBaseUrl: string;
  readonly source: string;
  /** The rotation function's own base URL, when the operator's differs from it. */
  readonly functionApiBaseUrl?: string;
}

/**
 * Says which Hopae base URL is asked, and warns when it is not the rotation function's: a leftover
 * sandbox URL in the operator's shell would make every production version look rejected.
 */
export function reportHopaeUsed(out: Output, access: HopaeAccess, fn: FunctionInfo | undefined): HopaeUsed {
  const own = fn?.access?.apiBaseUrl;
  const differs = own !== undefined && own.replace(/\/+$/, '') !== access.apiBaseUrl.replace(/\/+$/, '');
  out.note(`Hopae: ${access.apiBaseUrl} (from ${access.apiBaseUrlSource})`);
  if (differs) {
    out.note(
      out.warn(
        `${access.apiBaseUrlSource} (${access.apiBaseUrl}) is not the Hopae ${functionName(fn!.arn)} rotates against (${own}): every verdict below is that other Hopae's. Unset it, or pass --api-base-url ${own}.`,
      ),
    );
  }
  return { apiBaseUrl: access.apiBaseUrl, source: access.apiBaseUrlSource, ...(differs ? { functionApiBaseUrl: own } : {}) };
}
