/**
 * The fixed-rate load generator of the serve-load benchmark (a child process, pinned to its own
 * core by the parent): loadtest's open loop, one request every 1000/rate ms whether or not earlier
 * ones have been answered (a new keep-alive connection when all are busy), single-record bodies
 * cycled from a file. autocannon's own rate option is not used for this: it lets each connection
 * send as fast as it is answered until its per-second budget is spent, i.e. bursts at every second
 * boundary, so its latencies would be those of a closed loop.
 * An .mjs file because loadtest 8 is an ES module, which CommonJS (ts-node here) cannot require on
 * Node 20.17.
 * argv[2]: JSON {url, bodiesFile, seconds, rate}. Prints one JSON line of results (latencies in
 * ms from hrtime, 2xx answers only).
 */
import fs from 'node:fs';
import { loadTest } from 'loadtest';

const spec = JSON.parse(process.argv[2]);
const bodies = JSON.parse(fs.readFileSync(spec.bodiesFile, 'utf8'));
const latencies = [];
let next = 0;
let failed = 0;
let errors = 0;

const result = await loadTest({
  url: spec.url,
  method: 'POST',
  contentType: 'application/json',
  body: () => bodies[next++ % bodies.length],
  requestsPerSecond: spec.rate,
  maxSeconds: spec.seconds,
  agentKeepAlive: true,
  quiet: true,
  statusCallback: (error, answer) => {
    if (answer === undefined) errors += 1;
    else if (answer.statusCode >= 200 && answer.statusCode < 300) latencies.push(answer.requestElapsed);
    else failed += 1;
  },
});
latencies.sort((a, b) => a - b);
const at = (q) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? NaN;
console.log(
  JSON.stringify({
    requests: result.totalRequests,
    rps: result.totalRequests / spec.seconds,
    p50: at(0.5),
    p99: at(0.99),
    max: latencies.at(-1) ?? NaN,
    errors,
    non2xx: failed,
  }),
);
