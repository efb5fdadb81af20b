/**
 * Reading Hopae's answers without ever echoing them: bodies of successful calls hold secrets, so
 * only their shape (empty, HTML, non-JSON...) and Hopae's error codes reach a message or a log.
 */

export interface HopaeErrorDetails {
  /** Workspace API `error.code`, or the App API problem's `title` (e.g. AUTH.INVALID_CREDENTIALS). */
  readonly code: string | undefined;
  readonly requestId: string | undefined;
  /** What the body was, when it was not a recognised error shape. */
  readonly bodyShape: BodyShape;
}

export type BodyShape = 'workspace-error' | 'problem-details' | 'empty' | 'html' | 'non-JSON' | 'other JSON' | 'unreadable';

export function parseJson(body: string): unknown {
  try {
    return JSON.parse(body);
  } catch {
    return undefined;
  }
}

/** Reads both documented error shapes; empty, HTML and other bodies are only named. */
export function parseErrorBody(body: string): HopaeErrorDetails {
  const text = body.trim();
  if (text === '') return { code: undefined, requestId: undefined, bodyShape: 'empty' };
  if (/^<(!doctype|html|\?xml|head|body)/i.test(text)) return { code: undefined, requestId: undefined, bodyShape: 'html' };
  const json = parseJson(text);
  if (typeof json !== 'object' || json === null) return { code: undefined, requestId: undefined, bodyShape: 'non-JSON' };
  const record = json as Record<string, unknown>;
  const requestId = shortString(record.request_id) ?? shortString(record.requestId);
  // Workspace API: {"error": {"code": "...", "message": "..."}, "request_id": "..."}
  const error = record.error;
  if (typeof error === 'object' && error !== null && typeof (error as { code?: unknown }).code === 'string') {
    return { code: shortString((error as { code: string }).code), requestId, bodyShape: 'workspace-error' };
  }
  // App API and OIDC: RFC 7807 problem details {"type", "title", "status", "code"}
  if (typeof record.type === 'string' || typeof record.title === 'string') {
    const code = shortString(record.title) ?? (typeof record.code === 'number' ? String(record.code) : undefined);
    return { code, requestId, bodyShape: 'problem-details' };
  }
  return { code: undefined, requestId, bodyShape: 'other JSON' };
}

/** "404 RESOURCE_NOT_FOUND, request_id r-1" or "502 (html body)": safe for messages and logs. */
export function describeErrorResponse(
  status: number,
  body: string,
  bodyProblem?: string,
): { label: string; details: HopaeErrorDetails } {
  if (bodyProblem !== undefined) {
    return { label: `${status} (body ${bodyProblem})`, details: { code: undefined, requestId: undefined, bodyShape: 'unreadable' } };
  }
  const details = parseErrorBody(body);
  let label = String(status);
  if (details.code) label += ` ${details.code}`;
  else label += ` (${details.bodyShape === 'other JSON' ? 'unrecognised JSON' : details.bodyShape} body)`;
  if (details.requestId) label += `, request_id ${details.requestId}`;
  return { label, details };
}

/** What a 2xx body was when it held no usable secret: never the body itself. */
export function describeUnusableSuccessBody(body: string): string {
  const text = body.trim();
  if (text === '') return 'an empty body';
  if (text.startsWith('<')) return 'an HTML body';
  const json = parseJson(text);
  if (json === undefined) return 'a non-JSON body';
  if (typeof json !== 'object' || json === null || Array.isArray(json)) return 'JSON that is not an object';
  const secret = (json as { clientSecret?: unknown }).clientSecret;
  if (secret === undefined) return 'JSON without clientSecret';
  if (secret === '') return 'an empty clientSecret';
  return `a clientSecret that is not a string (${secret === null ? 'null' : typeof secret})`;
}

// Codes and request ids are short tokens; anything long or odd is not echoed.
function shortString(value: unknown): string | undefined {
  return typeof value === 'string' && /^[\w.:\-/]{1,80}$/.test(value) ? value : undefined;
}
