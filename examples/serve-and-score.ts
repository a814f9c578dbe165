/**
 * Serve and score over HTTP: train tiny budget and propensity models -> save their bundles ->
 * serve both with startScoringServer (the Azure ML inference contract, what `kdap serve` runs) ->
 * POST records with fetch -> print the results -> close. Spend and returns are in the data's
 * currency; propensity scores are probabilities (0-1).
 *
 *   node --conditions=@kdap/source -r ts-node/register examples/serve-and-score.ts
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { BudgetOptimizerTrainer } from '@kdap/budget';
import { startScoringServer } from '@kdap/deploy';
import { syntheticCustomers, syntheticMarketingSpend } from '@kdap/preprocessing';
import { PropensityTrainer } from '@kdap/propensity';

async function main(): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kdap-serve-and-score-'));
  try {
    // 1. Two small models, saved as bundles; each is served as /score/<directory name>.
    const budget = new BudgetOptimizerTrainer({ params: { n_estimators: 40 } });
    await budget.fit(syntheticMarketingSpend({ rows: 900, seed: 1 }).table);
    await budget.save(path.join(dir, 'budget_optimizer'));
    const propensity = new PropensityTrainer({ params: { n_estimators: 40 } });
    await propensity.fit(syntheticCustomers({ samples: 3000, seed: 1 }).table);
    await propensity.save(path.join(dir, 'propensity'));
    propensity.dispose();

    // 2. Serve both on a free loopback port; a key makes the server require `Authorization: Bearer <key>`.
    const key = 'example-key-0123456789';
    const server = await startScoringServer({ bundles: [path.join(dir, 'budget_optimizer'), path.join(dir, 'propensity')], port: 0, key, logger: false });
    try {
      await server.ready;
      console.log(`serving at ${server.url}: ${JSON.stringify(await (await fetch(`${server.url}/ready`)).json())}`);
      const post = async (route: string, body: unknown) => {
        const response = await fetch(`${server.url}${route}`, { method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
        return { status: response.status, body: (await response.json()) as unknown };
      };

      // 3. Score records as an application would.
      const plan = await post('/score/budget_optimizer', { data: [{ channel_id: 'search', current_spend: 3_000, historical_roi_mean: 2.5 }, { channel_id: 'social', current_spend: 1_500, historical_roi_mean: 1.8 }] });
      console.log('budget:', plan.status, JSON.stringify(plan.body, null, 2));
      const customers = await post('/score/propensity', { data: [{ customer_id: 'CUST_001', recency: 5, frequency: 12, monetary: 250, engagement_score: 80, tenure_days: 700, email_open_rate: 0.5, email_click_rate: 0.2, preferred_channel: 'web' }] });
      console.log('propensity:', customers.status, JSON.stringify(customers.body, null, 2));

      // 4. Bad input is a 400 naming the field, never a crash.
      const bad = await post('/score/propensity', { data: [{ customer_id: 'CUST_002', recency: 'recent' }] });
      console.log('bad record:', bad.status, JSON.stringify(bad.body));
    } finally {
      await server.close();
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
