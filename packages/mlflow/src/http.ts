import { setTimeout as sleep } from 'node:timers/promises';
import { TrackingError } from '@kdap/errors';
import { backoffMs, isRetryableStatus, retryAfterMs, type RetryPolicy } from './retry';

/** One request to the tracking server; `what` names it in messages ("create run 'budget-v1'"). */
export interface HttpRequest {
  method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';
  url: string;
  what: string;
  json?: unknown;
  body?: Uint8Array;
  contentType?: string;
  /**
   * Answers that are an outcome, not a failure (a look-up that finds nothing, a create that lost
   * a race): the call resolves to `undefined` instead of throwing. Gets the status and MLflow's
   * `error_code`.
   */
  tolerate?: (status: number, errorCode: string | undefined) => boolean;
}

/** What one attempt ended with, for the message when every attempt failed. */
type Outcome = { kind: 'status'; status: number; text: string; retryAfter: number | undefined } | { kind: 'network'; reason: string };

/**
 * The transport under MlflowClient: JSON over fetch, the Authorization header, and bounded
 * retries (attempts and wall-clock per call) on throttling, 5xx, timeouts and refused or reset
 * connections, honoring Retry-After. Non-retryable answers fail at once with MLflow's own error.
 */
export class MlflowHttp {
  readonly #authorization: string | undefined;
  readonly #policy: RetryPolicy;
  readonly #random: () => number;

  constructor(authorization: string | undefined, policy: RetryPolicy, random: () => number = Math.random) {
    this.#authorization = authorization;
    this.#policy = policy;
    this.#random = random;
  }

  get policy(): RetryPolicy {
    return this.#policy;
  }

  /** Sends the request, retrying as the policy allows; resolves to the parsed JSON answer. */
  async send<T>(request: HttpRequest): Promise<T | undefined> {
    const started = Date.now();
    const deadline = started + this.#policy.callTimeoutMs;
    let last: Outcome | undefined;
    let attempt = 1;
    for (; ; attempt++) {
      const remaining = deadline - Date.now();
      const outcome = await this.#attempt(request, Math.max(1, Math.min(this.#policy.attemptTimeoutMs, remaining)));
      if (outcome.kind === 'ok') return outcome.value as T | undefined;
      last = outcome;
      if (outcome.kind === 'status' && !isRetryableStatus(outcome.status)) throw rejected(request, outcome.status, outcome.text);
      if (attempt >= this.#policy.maxAttempts) break;
      const wait = outcome.kind === 'status' && outcome.retryAfter !== undefined ? outcome.retryAfter : backoffMs(this.#policy, attempt, this.#random);
      // A wait that would overrun the call's budget cannot lead to a success inside it: stop now.
      if (Date.now() + wait >= deadline) break;
      await sleep(wait);
    }
    throw gaveUp(request, last, attempt, Date.now() - started, this.#policy);
  }

  async #attempt(request: HttpRequest, timeoutMs: number): Promise<{ kind: 'ok'; value: unknown } | Outcome> {
    const headers: Record<string, string> = {};
    if (this.#authorization !== undefined) headers.authorization = this.#authorization;
    let body: string | Uint8Array | undefined;
    if (request.json !== undefined) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(request.json);
    } else if (request.body !== undefined) {
      headers['content-type'] = request.contentType ?? 'application/octet-stream';
      body = request.body;
    }
    let response: Response;
    let text: string;
    try {
      response = await fetch(request.url, { method: request.method, headers, body, signal: AbortSignal.timeout(timeoutMs) });
      text = await response.text();
    } catch (e) {
      return { kind: 'network', reason: networkReason(e, timeoutMs) };
    }
    if (response.ok) {
      if (text === '') return { kind: 'ok', value: {} };
      try {
        return { kind: 'ok', value: JSON.parse(text) };
      } catch {
        // The artifact proxy answers uploads with an empty body or plain text; only the status matters there.
        return { kind: 'ok', value: {} };
      }
    }
    if (request.tolerate?.(response.status, errorCode(text))) return { kind: 'ok', value: undefined };
    return { kind: 'status', status: response.status, text, retryAfter: retryAfterMs(response.headers.get('retry-after')) };
  }
}

/** "connection refused", "timed out after 20000 ms", ... from what fetch threw. */
function networkReason(error: unknown, timeoutMs: number): string {
  const e = error as { name?: string; message?: string; cause?: { code?: string; message?: string } };
  if (e?.name === 'TimeoutError' || e?.name === 'AbortError') return `no answer within ${timeoutMs} ms`;
  const code = e?.cause?.code;
  if (code === 'ECONNREFUSED') return 'connection refused';
  if (code === 'ECONNRESET' || code === 'UND_ERR_SOCKET') return 'connection reset';
  return code ?? e?.cause?.message ?? e?.message ?? String(error);
}

function errorCode(text: string): string | undefined {
  try {
    const code = (JSON.parse(text) as { error_code?: unknown }).error_code;
    return typeof code === 'string' ? code : undefined;
  } catch {
    return undefined;
  }
}

/** MLflow's error body: {"error_code": "INVALID_PARAMETER_VALUE", "message": "..."}. */
function mlflowMessage(text: string): string {
  try {
    const body = JSON.parse(text) as { error_code?: string; message?: string };
    if (typeof body.message === 'string') return body.error_code ? `${body.error_code}: ${body.message}` : body.message;
  } catch {
    // not JSON: a proxy's HTML page or plain text
  }
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > 300 ? `${flat.slice(0, 300)}...` : flat;
}

function rejected(request: HttpRequest, status: number, text: string): TrackingError {
  const auth =
    status === 401 || status === 403
      ? ' Set MLFLOW_TRACKING_TOKEN, or MLFLOW_TRACKING_USERNAME and MLFLOW_TRACKING_PASSWORD, to credentials the server accepts.'
      : '';
  return new TrackingError(`The MLflow server refused to ${request.what} (HTTP ${status} from ${request.method} ${request.url}): ${mlflowMessage(text)}.${auth}`);
}

function gaveUp(request: HttpRequest, last: Outcome | undefined, attempts: number, elapsedMs: number, policy: RetryPolicy): TrackingError {
  const why = last === undefined ? 'no attempt was made' : last.kind === 'network' ? last.reason : `HTTP ${last.status}: ${mlflowMessage(last.text)}`;
  return new TrackingError(
    `Could not ${request.what} on the MLflow server at ${new URL(request.url).origin}: gave up after ${attempts} attempt${attempts === 1 ? '' : 's'} in ${(elapsedMs / 1000).toFixed(1)} s ` +
      `(the limit is ${policy.maxAttempts} attempts within ${policy.callTimeoutMs / 1000} s per call); last error: ${why}.`,
  );
}
