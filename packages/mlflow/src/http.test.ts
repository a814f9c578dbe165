import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import { expectKdapError } from '@kdap/test-support';
import { MlflowHttp } from './http';
import { retryPolicy } from './retry';
import { freePort } from './testing/mlflow-server';
import { MLFLOW_PACKAGE_VERSION } from './version';

/** A local HTTP server answering from a script of statuses, one per request. */
async function scripted(answers: { status: number; headers?: Record<string, string>; body?: string }[]): Promise<{ url: string; hits: number[]; server: Server }> {
  const hits: number[] = [];
  const server = createServer((req, res) => {
    hits.push(Date.now());
    req.resume();
    const answer = answers[Math.min(hits.length - 1, answers.length - 1)]!;
    res.writeHead(answer.status, { 'content-type': 'application/json', ...answer.headers });
    res.end(answer.body ?? '{}');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as { port: number }).port}/api/2.0/mlflow/x`, hits, server };
}

const quick = retryPolicy({ maxAttempts: 3, callTimeoutMs: 5_000, attemptTimeoutMs: 1_000, initialBackoffMs: 20, maxBackoffMs: 50 });

describe('MlflowHttp', () => {
  it('gives up on a refused connection after the policy\'s attempts, saying what it was doing', async () => {
    const port = await freePort();
    const http = new MlflowHttp(undefined, quick);
    await expectKdapError(
      () => http.send({ method: 'POST', url: `http://127.0.0.1:${port}/api/2.0/mlflow/runs/create`, what: "create run 'r'", json: {} }),
      'ERR_KDAP_TRACKING',
      /^Could not create run 'r' on the MLflow server at http:\/\/127\.0\.0\.1:\d+: gave up after 3 attempts in [\d.]+ s \(the limit is 3 attempts within 5 s per call\); last error: connection refused\./,
    );
  });

  it('fails at once on a 4xx with MLflow\'s error code and message', async () => {
    const s = await scripted([{ status: 400, body: JSON.stringify({ error_code: 'INVALID_PARAMETER_VALUE', message: 'Param value too long' }) }]);
    try {
      await expectKdapError(() => new MlflowHttp(undefined, quick).send({ method: 'POST', url: s.url, what: 'log batch', json: {} }), 'ERR_KDAP_TRACKING', /refused to log batch \(HTTP 400 .*\): INVALID_PARAMETER_VALUE: Param value too long\./);
      expect(s.hits).toHaveLength(1);
    } finally {
      s.server.close();
    }
  });

  it('names the credentials variables on 401', async () => {
    const s = await scripted([{ status: 401, body: 'Unauthorized' }]);
    try {
      await expectKdapError(() => new MlflowHttp('Bearer x', quick).send({ method: 'GET', url: s.url, what: 'read run' }), 'ERR_KDAP_TRACKING', /HTTP 401.*Set MLFLOW_TRACKING_TOKEN/);
    } finally {
      s.server.close();
    }
  });

  it('sends the Authorization header and retries 503 until an answer', async () => {
    let seen: string | undefined;
    const hits: number[] = [];
    const server = createServer((req, res) => {
      seen = req.headers.authorization;
      hits.push(Date.now());
      req.resume();
      res.writeHead(hits.length < 3 ? 503 : 200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ ok: hits.length }));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const url = `http://127.0.0.1:${(server.address() as { port: number }).port}/x`;
      await expect(new MlflowHttp('Bearer t0ken', quick).send({ method: 'GET', url, what: 'x' })).resolves.toEqual({ ok: 3 });
      expect(seen).toBe('Bearer t0ken');
    } finally {
      server.close();
    }
  });

  it('stops at once when Retry-After asks for longer than the call may take', async () => {
    const s = await scripted([{ status: 429, headers: { 'retry-after': '30' } }]);
    try {
      const started = Date.now();
      await expectKdapError(() => new MlflowHttp(undefined, quick).send({ method: 'GET', url: s.url, what: 'x' }), 'ERR_KDAP_TRACKING', /gave up after 1 attempt in .*last error: HTTP 429/);
      expect(Date.now() - started).toBeLessThan(2_000);
    } finally {
      s.server.close();
    }
  });

  it('treats a server that accepts and never answers as a failed attempt', async () => {
    const server = createServer(() => undefined);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const url = `http://127.0.0.1:${(server.address() as { port: number }).port}/x`;
      const policy = retryPolicy({ maxAttempts: 2, callTimeoutMs: 3_000, attemptTimeoutMs: 300, initialBackoffMs: 10 });
      await expectKdapError(() => new MlflowHttp(undefined, policy).send({ method: 'GET', url, what: 'x' }), 'ERR_KDAP_TRACKING', /gave up after 2 attempts.*no answer within 300 ms/);
    } finally {
      server.closeAllConnections();
      server.close();
    }
  });
});

describe('package version', () => {
  it('equals package.json', () => {
    expect(MLFLOW_PACKAGE_VERSION).toBe((JSON.parse(readFileSync(join(__dirname, '..', 'package.json'), 'utf8')) as { version: string }).version);
  });
});
