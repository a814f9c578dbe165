/**
 * A throwaway Verdaccio registry on loopback for the publishing tests: a random free port, storage
 * and configuration in a temporary directory written at start (nothing about it is committed).
 * `@kdap/*` lives only here (no uplink for the scope, so nothing of ours is ever fetched from
 * elsewhere); every other package is proxied to `upstream`, the registry npm is configured with.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export interface LocalRegistry {
  /** e.g. `http://127.0.0.1:43817/` (with the trailing slash npm writes in .npmrc). */
  readonly url: string;
  /** The temporary directory holding config.yaml, storage/ and htpasswd. */
  readonly dir: string;
  /** A token of a user created at start, allowed to publish `@kdap/*`. */
  readonly token: string;
  /** The registry's own output so far (for failure messages). */
  output(): string;
  /** Stops the server and removes its directory. */
  stop(): Promise<void>;
}

export interface LocalRegistryOptions {
  /** Registry that packages outside `@kdap/*` are proxied to (`npm config get registry`). */
  upstream: string;
  /** Largest accepted request, e.g. '200mb' (Verdaccio's default 10mb is below our addon tarballs). */
  maxBodySize?: string;
  /** How long to wait for the server to listen, in ms. */
  startTimeoutMs?: number;
}

/** Verdaccio's configuration for a private `@kdap` scope in front of `upstream`. */
export function verdaccioConfig(dir: string, upstream: string, maxBodySize: string): string {
  const q = (s: string) => JSON.stringify(s); // YAML accepts JSON strings.
  return [
    `storage: ${q(path.join(dir, 'storage'))}`,
    'auth:',
    '  htpasswd:',
    `    file: ${q(path.join(dir, 'htpasswd'))}`,
    '    max_users: 10',
    'uplinks:',
    '  upstream:',
    `    url: ${q(upstream)}`,
    '    timeout: 60s',
    '    max_fails: 10',
    'packages:',
    "  '@kdap/*':",
    '    access: $all',
    '    publish: $authenticated',
    '    unpublish: $authenticated',
    "  '**':",
    '    access: $all',
    '    publish: $authenticated',
    '    proxy: upstream',
    `max_body_size: ${maxBodySize}`,
    'server:',
    '  keepAliveTimeout: 60',
    'log: { type: stdout, format: pretty, level: warn }',
    '',
  ].join('\n');
}

export async function startLocalRegistry(options: LocalRegistryOptions): Promise<LocalRegistry> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kdap-registry-'));
  const configFile = path.join(dir, 'config.yaml');
  fs.writeFileSync(configFile, verdaccioConfig(dir, options.upstream, options.maxBodySize ?? '200mb'));
  const child = spawn(process.execPath, [path.join(__dirname, 'verdaccio-server.js'), configFile], {
    cwd: dir,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const stop = async (): Promise<void> => {
    await stopChild(child);
    fs.rmSync(dir, { recursive: true, force: true });
  };
  try {
    const port = await waitForPort(child, options.startTimeoutMs ?? 60_000, (text) => (output += text), () => output);
    const url = `http://127.0.0.1:${port}/`;
    const token = await createUser(url);
    return { url, dir, token, output: () => output, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** Resolves with the port the server prints; rejects with its output when it exits or stalls. */
function waitForPort(child: ChildProcess, timeoutMs: number, onText: (text: string) => void, output: () => string): Promise<number> {
  return new Promise((resolve, reject) => {
    let buffered = '';
    const timer = setTimeout(() => reject(new Error(`Verdaccio did not listen within ${timeoutMs} ms. Its output:\n${output()}`)), timeoutMs);
    child.stdout!.on('data', (chunk: Buffer) => {
      const text = chunk.toString();
      buffered += text;
      onText(text);
      const match = /\{"port":(\d+)\}/.exec(buffered);
      if (match) {
        clearTimeout(timer);
        resolve(Number(match[1]));
      }
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`Verdaccio exited (${code ?? signal}) before listening. Its output:\n${output()}`));
    });
  });
}

/** Registers a user the way `npm adduser` does and returns its token. */
async function createUser(url: string): Promise<string> {
  const name = 'kdap-release-test';
  const response = await fetch(new URL(`-/user/org.couchdb.user:${name}`, url), {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ name, password: `pw-${process.pid}-${Date.now()}`, type: 'user', roles: [] }),
  });
  const body = (await response.json()) as { token?: string };
  if (!response.ok || !body.token) throw new Error(`Could not create a user on ${url}: HTTP ${response.status} ${JSON.stringify(body)}`);
  return body.token;
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const force = setTimeout(() => child.kill('SIGKILL'), 10_000);
    child.once('exit', () => {
      clearTimeout(force);
      resolve();
    });
    child.kill('SIGTERM');
  });
}
