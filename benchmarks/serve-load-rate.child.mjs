/**
 * The fixed-rate load generator of the serve-load benchmark (a child process, pinned to its own
 * core by the parent): loadtest's open loop, one request every 1000/rate ms whether or not earlier
 * ones have been answered (a new keep-alive connection when all are busy), single-record bodies
 * cycled from a file. autocannon's own rate option is not used for this: it lets each connection
 * send as fast as it is answered until its per-second budget is spent, i.e. bursts at every second
 * boundary, so its latencies would be those of a closed loop.
 * Latencies are taken here, from hrtime, between the creation of each request (loadtest's
 * requestGenerator hook) and the end of its response: loadtest's own `requestElapsed` is floored
 * to whole milliseconds, too coarse for a 5 ms goal. Also measured: how late the generator itself
 * sent each request against its schedule (start + i x 1000/rate ms), which shows whether a tail is
 * the generator's (its timer, its GC) rather than the server's.
 * An .mjs file because loadtest 8 is an ES module, which CommonJS (ts-node here) cannot require on
 * Node 20.17.
 * argv[2]: JSON {url, bodiesFile, seconds, rate}. Prints one JSON line of results (latencies in
 * ms, 2xx answers only).
 */
import fs from 'node:fs';
import { loadTest } from 'loadtest';

const spec = JSON.parse(process.argv[2]);
const bodies = JSON.parse(fs.readFileSync(spec.bodiesFile, 'utf8'));
const interval = 1000 / spec.rate;
const latencies = [];
const lateness = [];
let next = 0;
let sent = 0;
let firstSent;
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
  requestGenerator: (_options, params, request, connect) => {
    const start = process.hrtime.bigint();
    firstSent ??= start;
    lateness.push(Number(start - firstSent) / 1e6 - sent * interval);
    sent += 1;
    return request(params, (response) => {
      response.once('end', () => {
        if (response.statusCode >= 200 && response.statusCode < 300) latencies.push(Number(process.hrtime.bigint() - start) / 1e6);
      });
      connect(response);
    });
  },
  statusCallback: (error, answer) => {
    if (answer === undefined) errors += 1;
    else if (answer.statusCode < 200 || answer.statusCode >= 300) failed += 1;
  },
});
const at = (sorted, q) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? NaN;
latencies.sort((a, b) => a - b);
lateness.sort((a, b) => a - b);
console.log(
  JSON.stringify({
    requests: result.totalRequests,
    rps: result.totalRequests / spec.seconds,
    p50: at(latencies, 0.5),
    p99: at(latencies, 0.99),
    max: latencies.at(-1) ?? NaN,
    errors,
    non2xx: failed,
    lateP99: at(lateness, 0.99),
    lateMax: lateness.at(-1) ?? NaN,
  }),
);
