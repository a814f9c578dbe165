import { createServer, request as httpRequest, type IncomingMessage, type Server, type ServerResponse } from 'node:http';

/** What the proxy does with one request instead of forwarding it. */
export type Fault =
  | { kind: 'status'; status: number; headers?: Record<string, string>; body?: string }
  /** Calls `action` (e.g. kill the server), then forwards the request. */
  | { kind: 'run'; action: () => void }
  /** Drops the connection without an answer. */
  | { kind: 'reset' };

interface Rule {
  matches: (method: string, path: string) => boolean;
  fault: Fault;
  remaining: number;
}

/** One request as the proxy saw it, with what it did. */
export interface ProxiedRequest {
  method: string;
  path: string;
  at: number;
  answered: number | 'forwarded' | 'reset';
}

/**
 * A small HTTP proxy in front of a real MLflow server that injects faults (a status with
 * headers, a dropped connection, a side effect such as killing the server) into the requests a
 * rule matches, a given number of times, and forwards everything else unchanged.
 */
export class FaultProxy {
  readonly #target: URL;
  readonly #rules: Rule[] = [];
  readonly requests: ProxiedRequest[] = [];
  #server: Server | undefined;
  uri = '';

  constructor(target: string) {
    this.#target = new URL(target);
  }

  async start(): Promise<this> {
    this.#server = createServer((req, res) => this.#handle(req, res));
    await new Promise<void>((resolve) => this.#server!.listen(0, '127.0.0.1', resolve));
    this.uri = `http://127.0.0.1:${(this.#server.address() as { port: number }).port}`;
    return this;
  }

  async stop(): Promise<void> {
    this.#server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.#server ? this.#server.close(() => resolve()) : resolve()));
  }

  /** Injects `fault` into the next `times` requests whose method and path match. */
  inject(match: { method?: string; path: RegExp }, fault: Fault, times = 1): this {
    this.#rules.push({ matches: (m, p) => (match.method === undefined || match.method === m) && match.path.test(p), fault, remaining: times });
    return this;
  }

  clear(): void {
    this.#rules.length = 0;
    this.requests.length = 0;
  }

  #handle(req: IncomingMessage, res: ServerResponse): void {
    const method = req.method ?? 'GET';
    const path = req.url ?? '/';
    const rule = this.#rules.find((r) => r.remaining > 0 && r.matches(method, path));
    const record: ProxiedRequest = { method, path, at: Date.now(), answered: 'forwarded' };
    this.requests.push(record);
    if (rule !== undefined) {
      rule.remaining--;
      const fault = rule.fault;
      if (fault.kind === 'status') {
        record.answered = fault.status;
        req.resume();
        res.writeHead(fault.status, { 'content-type': 'application/json', ...fault.headers });
        res.end(fault.body ?? JSON.stringify({ error_code: 'INTERNAL_ERROR', message: `injected ${fault.status}` }));
        return;
      }
      if (fault.kind === 'reset') {
        record.answered = 'reset';
        req.socket.destroy();
        return;
      }
      fault.action();
    }
    const upstream = httpRequest(
      { host: this.#target.hostname, port: this.#target.port, method, path, headers: { ...req.headers, host: this.#target.host } },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    upstream.on('error', () => {
      // The server is gone (killed by a fault): the client sees the connection drop, as it would.
      req.socket.destroy();
    });
    req.pipe(upstream);
  }
}
