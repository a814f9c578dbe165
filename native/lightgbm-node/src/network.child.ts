/**
 * One machine of a two-process data-parallel training (run by network.test.ts): joins the
 * LightGBM network on loopback, trains on its own shard, prints the model string.
 */
import { Booster, Dataset, networkFree, networkInit } from './index';

const [rank, portA, portB] = process.argv.slice(2).map(Number) as [number, number, number];
const COLS = 4;
const ROWS = 3000;
// Each rank generates only its shard (rows with i % 2 === rank) of one deterministic dataset.
const X: number[] = [];
const y: number[] = [];
for (let i = rank; i < ROWS; i += 2) {
  const row = [Math.sin(i * 0.1), Math.cos(i * 0.37), ((i * 7919) % 101) / 101, (i % 13) / 13];
  X.push(...row);
  y.push(2 * row[0]! - row[1]! + row[2]! * row[3]!);
}

void (async () => {
  networkInit({ machines: [`127.0.0.1:${portA}`, `127.0.0.1:${portB}`], localListenPort: rank === 0 ? portA : portB, listenTimeOutMinutes: 1 });
  try {
    using ds = new Dataset(Float64Array.from(X), { rows: y.length, cols: COLS, label: y });
    using booster = await Booster.train(
      { objective: 'regression', tree_learner: 'data', num_machines: 2, pre_partition: true, verbosity: -1, num_threads: 1, min_data_in_leaf: 10 },
      ds,
      { numBoostRound: 15 },
    );
    process.stdout.write(JSON.stringify({ rank, model: booster.toModelString(), trees: booster.currentIteration() }));
  } finally {
    networkFree();
  }
})().catch((e: unknown) => {
  console.error(e);
  process.exitCode = 1;
});
