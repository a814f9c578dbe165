/**
 * A separate process for the journal tests: optimizes a study in a journal file, optionally writing a marker
 * while each objective runs (so a test can kill it mid-trial, never mid-append).
 * usage: node -r ts-node/register journal-worker.ts <journal> <study> <nTrials> <seed> <sleepMs> [markerFile]
 */
import { existsSync, writeFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { createStudy } from '../study';
import { TPESampler } from '../samplers/tpe-sampler';

async function main(): Promise<void> {
  const [path, studyName, nTrials, seed, sleepMs, marker] = process.argv.slice(2);
  // KDAP_BARRIER=<path>: say ready, then wait for <path>.go, so two workers really run at the same time.
  const barrier = process.env.KDAP_BARRIER;
  if (barrier) {
    writeFileSync(`${barrier}.ready.${process.pid}`, '');
    while (!existsSync(`${barrier}.go`)) await sleep(5);
  }
  const study = createStudy({ storage: path!, studyName: studyName!, loadIfExists: true, sampler: new TPESampler({ seed: Number(seed) }) });
  await study.optimize(
    async (trial) => {
      const x = trial.suggestFloat('x', -5, 5);
      const lr = trial.suggestFloat('lr', 1e-5, 1, { log: true });
      const n = trial.suggestInt('n', 1, 20);
      const c = trial.suggestCategorical('c', ['a', 'b', 'c']);
      trial.setUserAttr('writer', `node-${process.pid}`);
      if (marker) writeFileSync(marker, String(trial.number));
      await sleep(Number(sleepMs));
      const value = (x - 2) ** 2 + (Math.log10(lr) + 2) ** 2 + (n - 7) ** 2 / 10 + (c !== 'b' ? 1 : 0);
      trial.report(value + 1, 0);
      trial.report(value, 1);
      return value;
    },
    { nTrials: Number(nTrials) },
  );
}

void main();
