/**
 * `kdap deploy`: the Python module's flags, usage errors (exit 2) before anything reaches Azure,
 * and a whole deployment through the command against Azurite and the ARM stand-in.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { BudgetOptimizerTrainer } from '@kdap/budget';
import { syntheticMarketingSpend } from '@kdap/preprocessing';
import { startAzureTestBed, type AzureTestBed } from '@kdap/test-support/azure';
import { run } from '../index';
import { Output } from '../output';
import { deployCommand, printDeployResult } from './deploy';

class Capture extends Writable {
  text = '';
  override _write(chunk: Buffer, _enc: string, done: () => void): void {
    this.text += chunk.toString();
    done();
  }
}

const AZURE_ENV = { AZURE_SUBSCRIPTION_ID: '00000000-1111-2222-3333-444444444444', AZURE_RESOURCE_GROUP: 'kdap-rg', AZURE_ML_WORKSPACE: 'kdap-ws', AZURE_REGION: 'eastus' };

async function kdap(argv: string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  const stdout = new Capture();
  const stderr = new Capture();
  const code = await run(argv, { streams: { stdout, stderr, env: { NO_COLOR: '1', ...env } }, cwd: dir });
  return { code, stdout: stdout.text, stderr: stderr.text };
}

let dir: string;
let fakeBundle: string;

beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'kdap-cli-deploy-'));
  // Usage errors come before the bundle is verified or Azure is called: the manifest's kind is enough.
  fakeBundle = path.join(dir, 'fake_budget');
  mkdirSync(fakeBundle);
  writeFileSync(path.join(fakeBundle, 'manifest.json'), JSON.stringify({ kind: 'budget' }));
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

const base = () => ['deploy', '--model-path', fakeBundle, '--model-name', 'kdap-budget-optimizer', '--endpoint-name', 'kdap-budget-optimizer', '--image', 'myacr.azurecr.io/kdap-scoring:0.1.0'];

describe('kdap deploy usage errors (exit 2, nothing sent to Azure)', () => {
  it('a scoring script that is not one of the Python module\'s', async () => {
    const r = await kdap([...base(), '--scoring-script', 'score_custom.py'], AZURE_ENV);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/'scoringScript' option of kdap deploy must name one of the Python module's scoring scripts \(score_budget.py, score_propensity.py, score_anomaly.py\)/);
  });

  it('a scoring script for another model than the bundle holds', async () => {
    const r = await kdap([...base(), '--scoring-script', 'deployment/scoring/score_propensity.py'], AZURE_ENV);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/holds a budget model, but --scoring-script deployment\/scoring\/score_propensity.py deploys a propensity model/);
  });

  it('an unknown flag, an unknown model kind, neither or both image sources', async () => {
    const unknown = await kdap([...base(), '--scoring-file', 'score_budget.py'], AZURE_ENV);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/unknown option '--scoring-file'/);
    const kind = await kdap([...base(), '--model-kind', 'budgets'], AZURE_ENV);
    expect(kind.code).toBe(2);
    expect(kind.stderr).toMatch(/--model-kind.*Allowed choices are budget, propensity, anomaly/);
    const both = await kdap([...base(), '--build-context', dir], AZURE_ENV);
    expect(both.code).toBe(2);
    expect(both.stderr).toMatch(/exactly one of --image .* or --build-context/);
    const count = await kdap([...base(), '--instance-count', '0'], AZURE_ENV);
    expect(count.code).toBe(2);
  });

  it('missing Azure settings: every variable named, exit 2', async () => {
    const r = await kdap(base(), { AZURE_ML_WORKSPACE: 'kdap-ws' });
    expect(r.code).toBe(2);
    for (const v of ['AZURE_SUBSCRIPTION_ID', 'AZURE_RESOURCE_GROUP', 'AZURE_REGION']) expect(r.stderr).toContain(`set ${v}`);
    expect(r.stderr).not.toContain('set AZURE_ML_WORKSPACE');
  });
});

describe('kdap deploy against Azurite and the ARM stand-in', () => {
  let bed: AzureTestBed;
  let bundle: string;

  beforeAll(async () => {
    const trainer = new BudgetOptimizerTrainer({ params: { n_estimators: 20 } });
    await trainer.fit(syntheticMarketingSpend({ rows: 900, seed: 9 }).table);
    bundle = path.join(dir, 'budget_optimizer');
    await trainer.save(bundle);
    (trainer as { dispose?: () => void }).dispose?.();
    const settings = { subscriptionId: AZURE_ENV.AZURE_SUBSCRIPTION_ID, resourceGroup: AZURE_ENV.AZURE_RESOURCE_GROUP, workspace: AZURE_ENV.AZURE_ML_WORKSPACE, region: AZURE_ENV.AZURE_REGION };
    bed = await startAzureTestBed(settings, ['cli-token']);
  }, 300_000);

  afterAll(async () => {
    await bed?.close();
  });

  it('registers, creates the endpoint, deploys and scores the --test-data records; prints no key', async () => {
    const requestFile = path.join(dir, 'request.json');
    writeFileSync(requestFile, JSON.stringify({ data: [{ channel_id: 'search', current_spend: 50000, historical_roi_mean: 2.5 }] }));
    const stdout = new Capture();
    const stderr = new Capture();
    const out = new Output({ stdout, stderr, env: { NO_COLOR: '1' } });
    const ctx = { out, signal: new AbortController().signal, cwd: dir, env: AZURE_ENV };
    const flags = { modelPath: 'budget_optimizer', modelName: 'kdap-budget-optimizer', endpointName: 'kdap-budget-optimizer', deploymentName: 'budget-optimizer-v1', scoringScript: 'score_budget.py', instanceType: 'Standard_DS2_v2', instanceCount: 1, image: 'myacr.azurecr.io/kdap-scoring:0.1.0', testData: 'request.json' };
    const injected = { credential: { getToken: async () => ({ token: 'cli-token', expiresOnTimestamp: Date.now() + 3_600_000 }) }, armEndpoint: bed.arm.url, blobEndpoint: bed.azurite.url, agent: bed.agent, pollIntervalMs: 50 };
    const result = await deployCommand(flags, ctx, injected);
    printDeployResult(result, ctx);
    expect(result).toMatchObject({
      model: { name: 'kdap-budget-optimizer', version: '1', kind: 'budget', created: true },
      endpoint: { name: 'kdap-budget-optimizer', created: true },
      deployment: { deploymentName: 'budget-optimizer-v1', provisioningState: 'Succeeded', updated: true, instanceCount: 1 },
      test: { status: 200 },
    });
    expect((result.test!.records as { channel_id: string; optimal_spend: number }[])[0]).toMatchObject({ channel_id: 'search', optimal_spend: expect.any(Number) });
    expect(stderr.text).toMatch(/\[createEndpoint\] creating endpoint kdap-budget-optimizer in eastus/);
    expect(stdout.text).toMatch(/deployment\s+budget-optimizer-v1: Succeeded, 1 x Standard_DS2_v2, 100% traffic/);

    // A re-run resumes: nothing new registered, created or updated.
    const again = await deployCommand(flags, ctx, injected);
    expect(again).toMatchObject({ model: { version: '1', created: false }, endpoint: { created: false }, deployment: { updated: false }, test: { status: 200 } });

    for (const key of bed.secrets()) expect(stdout.text + stderr.text).not.toContain(key);
  }, 240_000);
});
