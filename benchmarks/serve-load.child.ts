/**
 * The closed-loop load generator of the serve-load benchmark (a child process, pinned to its own
 * core by the parent): autocannon against one server's POST /score, each connection sending its
 * next request as soon as the last is answered (the server's maximum throughput), single-record
 * bodies cycled from a file. argv[2]: JSON {url, bodiesFile, connections, seconds}. Prints one
 * JSON line of results. The fixed-rate runs use serve-load-rate.child.mjs.
 */
import fs from 'node:fs';
import autocannon from 'autocannon';

interface LoadSpec {
  url: string;
  bodiesFile: string;
  connections: number;
  seconds: number;
}

const spec = JSON.parse(process.argv[2]!) as LoadSpec;
const bodies = JSON.parse(fs.readFileSync(spec.bodiesFile, 'utf8')) as string[];

// autocannon's own histogram keeps whole milliseconds; the 'response' event carries the
// hrtime duration (ms, fractional), which the percentiles here are taken from (2xx only).
const latencies: number[] = [];
const instance = autocannon(
  {
    url: spec.url,
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    connections: spec.connections,
    duration: spec.seconds,
    // One request shape per body: autocannon cycles through them, connection by connection.
    requests: bodies.map((body) => ({ method: 'POST', path: new URL(spec.url).pathname, body })),
  },
  (error, result) => {
    if (error) throw error;
    latencies.sort((a, b) => a - b);
    const at = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? NaN;
    console.log(
      JSON.stringify({
        requests: result.requests.total,
        rps: result.requests.total / spec.seconds,
        p50: at(0.5),
        p99: at(0.99),
        max: latencies.at(-1) ?? NaN,
        errors: result.errors + result.timeouts,
        non2xx: result.non2xx,
      }),
    );
  },
);
instance.on('response', (_client: unknown, statusCode: number, _bytes: number, ms: number) => {
  if (statusCode >= 200 && statusCode < 300) latencies.push(ms);
});
