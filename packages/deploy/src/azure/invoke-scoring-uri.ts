import http from 'node:http';
import https from 'node:https';
import { DeploymentError } from '@kdap/errors';

/** What a scoring URI answered. */
export interface ScoringResponse {
  status: number;
  /** Parsed JSON (the model's records on success, `{"error": ...}` otherwise), or the text when not JSON. */
  body: unknown;
  latencyMs: number;
  /** The request id the endpoint echoed (`x-request-id` / `x-ms-request-id`), for its logs. */
  requestId: string | undefined;
}

/**
 * POSTs a JSON body to a scoring URI with `Authorization: Bearer <key>` (optionally pinned to one
 * deployment). The key goes in the header only: never into a message or a log line.
 */
export function invokeScoringUri(uri: string, key: string, payload: unknown, options: { deploymentName?: string | undefined; agent?: https.Agent | undefined; timeoutMs?: number } = {}): Promise<ScoringResponse> {
  const url = new URL(uri);
  const body = Buffer.from(JSON.stringify(payload));
  const started = performance.now();
  const headers: http.OutgoingHttpHeaders = { 'content-type': 'application/json', 'content-length': body.length, authorization: `Bearer ${key}` };
  if (options.deploymentName !== undefined) headers['azureml-model-deployment'] = options.deploymentName;
  const client = url.protocol === 'https:' ? https : http;
  return new Promise((resolve, reject) => {
    const request = client.request(url, { method: 'POST', headers, ...(url.protocol === 'https:' && options.agent ? { agent: options.agent } : {}), timeout: options.timeoutMs ?? 60_000 }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (c: Buffer) => chunks.push(c));
      response.on('error', (e) => reject(new DeploymentError('testEndpoint', `Reading the answer of ${url.origin}${url.pathname} failed: ${e.message}.`, { cause: e })));
      response.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let parsed: unknown = text;
        try {
          parsed = JSON.parse(text);
        } catch {
          // not JSON: keep the text
        }
        const id = response.headers['x-request-id'] ?? response.headers['x-ms-request-id'];
        resolve({ status: response.statusCode ?? 0, body: parsed, latencyMs: performance.now() - started, requestId: Array.isArray(id) ? id[0] : id });
      });
    });
    request.on('timeout', () => request.destroy(new DeploymentError('testEndpoint', `no answer within ${options.timeoutMs ?? 60_000} ms`)));
    request.on('error', (e) => reject(new DeploymentError('testEndpoint', `Could not reach the scoring URI ${url.origin}${url.pathname}: ${e.message}. Check that the deployment succeeded and the endpoint is reachable from here.`, { cause: e })));
    request.end(body);
  });
}
