/**
 * AzureMLDeployer against Azurite (storage) and the ARM stand-in (control plane, TLS from a CA
 * made for this run): register -> endpoint -> deploy -> test end to end, where the deployment
 * runs the scoring image's entry point on the bundle downloaded from Azurite; re-runs; 409, 429
 * with Retry-After, a deployment that ends Failed, expired and missing credentials.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import type { Agent } from 'node:https';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { CredentialUnavailableError, type TokenCredential } from '@azure/identity';
import { BlobServiceClient, StorageSharedKeyCredential } from '@azure/storage-blob';
import { BudgetOptimizerTrainer } from '@kdap/budget';
import { DeploymentError } from '@kdap/errors';
import { syntheticMarketingSpend } from '@kdap/preprocessing';
import { expectKdapError } from '@kdap/test-support';
import { AzureMLDeployer, type DeployProgress } from './azure-ml-deployer';
import { AZURITE_ACCOUNT, AZURITE_KEY, CONTAINER_ENTRY_SOURCE, startAzureTestBed, type ArmStandIn, type AzureTestBed, type AzuriteBlob } from '@kdap/test-support/azure';

const SETTINGS = { subscriptionId: '00000000-1111-2222-3333-444444444444', resourceGroup: 'kdap-rg', workspace: 'kdap-ws', region: 'westeurope' };
const tokenCredential = (token: string): TokenCredential => ({ getToken: async () => ({ token, expiresOnTimestamp: Date.now() + 3_600_000 }) });

let dir: string;
let bundle: string;
let azurite: AzuriteBlob;
let arm: ArmStandIn;
let agent: Agent;
let bed: AzureTestBed;
let progress: DeployProgress[];

function deployer(overrides: Partial<ConstructorParameters<typeof AzureMLDeployer>[0]> = {}): AzureMLDeployer {
  return new AzureMLDeployer({
    ...SETTINGS,
    env: {},
    credential: tokenCredential('test-token'),
    armEndpoint: arm.url,
    blobEndpoint: azurite.url,
    agent,
    pollIntervalMs: 50,
    onProgress: (e) => progress.push(e),
    ...overrides,
  });
}

const record = { channel_id: 'search', current_spend: 5000 };

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'kdap-azure-'));
  const trainer = new BudgetOptimizerTrainer({ params: { n_estimators: 20 } });
  await trainer.fit(syntheticMarketingSpend({ rows: 900, seed: 5 }).table);
  bundle = path.join(dir, 'budget_optimizer');
  await trainer.save(bundle);
  (trainer as { dispose?: () => void }).dispose?.();
  bed = await startAzureTestBed(SETTINGS, ['test-token']);
  ({ azurite, arm, agent } = bed);
}, 300_000);

afterAll(async () => {
  await bed?.close();
  rmSync(dir, { recursive: true, force: true });
});

beforeEach(() => {
  progress = [];
});

/** No key (endpoint keys, the storage account key) in anything the deployer reported. */
function expectNoKeys(...texts: string[]): void {
  const secrets = bed.secrets();
  const all = [...progress.map((p) => p.message), ...texts].join('\n');
  for (const secret of secrets) expect(all).not.toContain(secret);
}

describe('AzureMLDeployer end to end (Azurite + ARM stand-in over TLS)', () => {
  it('registers, creates the endpoint, deploys the real scoring server and scores through the endpoint', async () => {
    const d = deployer();
    const model = await d.registerModel({ modelPath: bundle, modelName: 'budget-optimizer' });
    expect(model).toMatchObject({ name: 'budget-optimizer', version: '1', kind: 'budget', created: true });
    expect(model.modelUri).toMatch(/^azureml:\/\/subscriptions\/.+\/datastores\/workspaceblobstore\/paths\/kdap\/models\/budget-optimizer\/[0-9a-f]{32}\/budget_optimizer$/);

    // The bundle's files are in the workspace's container, byte for byte.
    const container = new BlobServiceClient(azurite.url, new StorageSharedKeyCredential(AZURITE_ACCOUNT, AZURITE_KEY)).getContainerClient(arm.containerName);
    const prefix = model.modelUri.split('/paths/')[1]!;
    const names: string[] = [];
    for await (const b of container.listBlobsFlat({ prefix })) names.push(b.name.slice(prefix.length + 1));
    expect(names).toContain('manifest.json');
    expect((await container.getBlobClient(`${prefix}/manifest.json`).downloadToBuffer()).equals(readFileSync(path.join(bundle, 'manifest.json')))).toBe(true);

    const endpoint = await d.createEndpoint({ endpointName: 'kdap-budget', authMode: 'key' });
    expect(endpoint).toMatchObject({ name: 'kdap-budget', provisioningState: 'Succeeded', created: true });
    expect(progress.some((p) => p.operation === 'createEndpoint' && p.step === 'wait')).toBe(true);

    const deployment = await d.deployModel({ modelPath: bundle, modelName: 'budget-optimizer', endpointName: 'kdap-budget', deploymentName: 'blue', scoringScript: 'score_budget.py', image: 'kdapacr.azurecr.io/kdap-scoring:0.1.0' });
    expect(deployment).toMatchObject({ deploymentName: 'blue', provisioningState: 'Succeeded', model: model.id, updated: true });
    const stored = arm.resources.get(deployment.id.toLowerCase())!;
    expect(stored.sku).toEqual({ name: 'Default', capacity: 1 });
    expect(stored.properties).toMatchObject({ endpointComputeType: 'Managed', instanceType: 'Standard_DS2_v2', environmentVariables: { KDAP_MODEL_KIND: 'budget' } });
    const environment = arm.resources.get(String(stored.properties.environmentId).toLowerCase())!;
    expect(environment.properties).toMatchObject({ image: 'kdapacr.azurecr.io/kdap-scoring:0.1.0', inferenceConfig: { livenessRoute: { path: '/', port: 5001 }, readinessRoute: { path: '/ready', port: 5001 }, scoringRoute: { path: '/score', port: 5001 } } });
    expect(arm.resources.get(endpoint.id.toLowerCase())!.properties.traffic).toEqual({ blue: 100 });

    const answer = await d.testEndpoint({ endpointName: 'kdap-budget', testData: [record] });
    expect(answer.status).toBe(200);
    const [result] = answer.body as Record<string, unknown>[];
    expect(result).toMatchObject({ channel_id: 'search' });
    for (const field of ['optimal_spend', 'expected_return', 'confidence_interval_lower', 'confidence_interval_upper', 'marginal_return']) expect(typeof result![field]).toBe('number');
    expectNoKeys(JSON.stringify(answer));
  }, 240_000);

  it('re-runs change nothing: same model version, endpoint and deployment; nothing uploaded', async () => {
    const d = deployer();
    const puts = () => arm.requests.filter((r) => r.method === 'PUT').length;
    const before = puts();
    const model = await d.registerModel({ modelPath: bundle, modelName: 'budget-optimizer' });
    expect(model).toMatchObject({ version: '1', created: false });
    expect((await d.createEndpoint({ endpointName: 'kdap-budget' })).created).toBe(false);
    const again = await d.deployModel({ modelPath: bundle, modelName: 'budget-optimizer', endpointName: 'kdap-budget', deploymentName: 'blue', modelKind: 'budget', image: 'kdapacr.azurecr.io/kdap-scoring:0.1.0' });
    expect(again.updated).toBe(false);
    expect(puts()).toBe(before);
    expect(progress.filter((p) => p.step === 'skip').length).toBeGreaterThanOrEqual(3);
  }, 60_000);

  it('429 with Retry-After: the SDK waits as told and the call succeeds', async () => {
    arm.faults.push({ method: 'GET', path: /\/onlineEndpoints\/kdap-budget$/, status: 429, retryAfter: 1 });
    const started = Date.now();
    const endpoint = await deployer().createEndpoint({ endpointName: 'kdap-budget' });
    expect(endpoint.created).toBe(false);
    const hits = arm.requests.filter((r) => r.at >= started && r.method === 'GET' && /\/onlineEndpoints\/kdap-budget$/.test(r.path));
    expect(hits.map((h) => h.status).slice(0, 2)).toEqual([429, 200]);
    expect(hits[1]!.at - hits[0]!.at).toBeGreaterThanOrEqual(950);
  }, 30_000);

  it('409 on a deployment update: waits for the running operation, retries once, succeeds; a second 409 is a DeploymentError', async () => {
    arm.faults.push({ method: 'PUT', path: /\/deployments\/blue$/, status: 409 });
    const d = deployer();
    const updated = await d.deployModel({ modelPath: bundle, modelName: 'budget-optimizer', endpointName: 'kdap-budget', deploymentName: 'blue', modelKind: 'budget', image: 'kdapacr.azurecr.io/kdap-scoring:0.1.0', instanceCount: 2 });
    expect(updated).toMatchObject({ provisioningState: 'Succeeded', updated: true });
    expect(progress.some((p) => p.message.includes('409 Conflict'))).toBe(true);
    // The Python module's request shape works too.
    expect((await d.testEndpoint({ endpointName: 'kdap-budget', testData: { data: [record, { ...record, channel_id: 'social' }] } })).body).toHaveLength(2);

    arm.faults.push({ method: 'PUT', path: /\/deployments\/blue$/, status: 409, times: 2 });
    const error = await expectKdapError(
      () => d.deployModel({ modelPath: bundle, modelName: 'budget-optimizer', endpointName: 'kdap-budget', deploymentName: 'blue', modelKind: 'budget', image: 'kdapacr.azurecr.io/kdap-scoring:0.1.0', instanceCount: 3 }),
      'ERR_KDAP_DEPLOYMENT',
      /deployModel failed: Azure answered 409 Conflict: .*Another operation on this resource is still running/,
    );
    expect(error).toMatchObject({ status: 409, serviceCode: 'Conflict', operation: 'deployModel' });
  }, 120_000);

  it('a deployment that ends Failed (tampered bundle, built from an uploaded context) is a DeploymentError with the container log', async () => {
    const context = path.join(dir, 'context');
    mkdirSync(path.join(context, 'packages/deploy'), { recursive: true });
    mkdirSync(path.join(context, 'node_modules/x'), { recursive: true });
    writeFileSync(path.join(context, 'packages/deploy/Dockerfile'), 'FROM node:20-bookworm-slim\n');
    writeFileSync(path.join(context, 'node_modules/x/index.js'), '');
    writeFileSync(path.join(context, 'package.json'), '{}');
    writeFileSync(path.join(context, '.dockerignore'), '**/node_modules\n');
    arm.tamperNextDeployment = true;
    const d = deployer();
    const error = await expectKdapError(
      () => d.deployModel({ modelPath: bundle, modelName: 'budget-optimizer', endpointName: 'kdap-budget', deploymentName: 'green', modelKind: 'budget', buildContext: context }),
      'ERR_KDAP_DEPLOYMENT',
      /deployment green ended Failed \(ResourceNotReady\): .*loading failed[\s\S]*Last lines of the container log:[\s\S]*manifest/,
    );
    expect(error).toMatchObject({ serviceCode: 'ResourceNotReady' });
    const env = [...arm.resources.values()].find((r) => r.id.includes('/environments/kdap-scoring/versions/ctx-'))!;
    expect(env.properties.build).toMatchObject({ dockerfilePath: 'packages/deploy/Dockerfile' });
    const container = new BlobServiceClient(azurite.url, new StorageSharedKeyCredential(AZURITE_ACCOUNT, AZURITE_KEY)).getContainerClient(arm.containerName);
    const prefix = String((env.properties.build as { contextUri: string }).contextUri).split('/paths/')[1]!;
    const names: string[] = [];
    for await (const b of container.listBlobsFlat({ prefix })) names.push(b.name.slice(prefix.length + 1));
    expect(names.sort()).toEqual(['.dockerignore', 'package.json', 'packages/deploy/Dockerfile']);
    // Traffic stayed on the working deployment.
    expect((await d.testEndpoint({ endpointName: 'kdap-budget', testData: [record] })).status).toBe(200);
    expectNoKeys(error.message);
  }, 180_000);

  it('expired or missing credentials are DeploymentErrors that say how to sign in', async () => {
    const expired = await expectKdapError(() => deployer({ credential: tokenCredential('expired-token') }).createEndpoint({ endpointName: 'kdap-budget' }), 'ERR_KDAP_DEPLOYMENT', /401 ExpiredAuthenticationToken.*az login/);
    expect(expired).toMatchObject({ status: 401, serviceCode: 'ExpiredAuthenticationToken' });
    const none: TokenCredential = {
      getToken: async () => {
        throw new CredentialUnavailableError('DefaultAzureCredential failed to retrieve a token from the included credentials.');
      },
    };
    await expectKdapError(() => deployer({ credential: none }).registerModel({ modelPath: bundle, modelName: 'budget-optimizer' }), 'ERR_KDAP_DEPLOYMENT', /no usable Azure credentials \(CredentialUnavailableError.*AZURE_CLIENT_ID/);
  }, 60_000);
});

describe('AzureMLDeployer settings and options', () => {
  it('lists every missing setting with its environment variable', () => {
    const error = (() => {
      try {
        new AzureMLDeployer({ env: { AZURE_ML_WORKSPACE: 'ws' }, credential: tokenCredential('t') });
      } catch (e) {
        return e as Error & { code: string; problems: { message: string }[] };
      }
      throw new Error('no error');
    })();
    expect(error.code).toBe('ERR_KDAP_CONFIG');
    expect(error.problems.map((p) => p.message)).toEqual([
      "The Azure setting 'subscriptionId' is missing: set AZURE_SUBSCRIPTION_ID (or pass subscriptionId to AzureMLDeployer).",
      "The Azure setting 'resourceGroup' is missing: set AZURE_RESOURCE_GROUP (or pass resourceGroup to AzureMLDeployer).",
      "The Azure setting 'region' is missing: set AZURE_REGION (or pass region to AzureMLDeployer).",
    ]);
    const fromEnv = new AzureMLDeployer({ env: { AZURE_SUBSCRIPTION_ID: 's', AZURE_RESOURCE_GROUP: 'rg', AZURE_ML_WORKSPACE: 'ws', AZURE_REGION: 'eastus' }, credential: tokenCredential('t') });
    expect(fromEnv.settings).toEqual({ subscriptionId: 's', resourceGroup: 'rg', workspace: 'ws', region: 'eastus' });
  });

  it('maps the Python scoring scripts to model kinds and refuses anything else before calling Azure', async () => {
    const d = new AzureMLDeployer({ ...SETTINGS, env: {}, credential: tokenCredential('t'), armEndpoint: 'https://127.0.0.1:9' });
    const base = { modelPath: '/nowhere', modelName: 'm', endpointName: 'kdap-e', image: 'r.io/kdap:1' };
    await expectKdapError(() => d.deployModel({ ...base, scoringScript: 'score_custom.py' }), 'ERR_KDAP_PARAMETER', /The 'scoringScript' option of deployModel must name one of the Python module's scoring scripts \(score_budget.py, score_propensity.py, score_anomaly.py\).*Got 'score_custom.py'/);
    await expectKdapError(() => d.deployModel({ ...base, scoringScript: 'score_budgets.py' }), 'ERR_KDAP_PARAMETER', /Did you mean 'score_budget.py'\?/);
    await expectKdapError(() => d.deployModel({ ...base, modelKind: 'budgett' }), 'ERR_KDAP_PARAMETER', /Did you mean 'budget'\?/);
    await expectKdapError(() => d.deployModel({ ...base, modelKind: 'budget', endpointName: '1bad' }), 'ERR_KDAP_PARAMETER', /'endpointName' option of deployModel must be 3 to 32 letters/);
    await expectKdapError(() => d.deployModel({ ...base, modelKind: 'budget', image: undefined }), 'ERR_KDAP_PARAMETER', /exactly one of 'image'/);
    await expectKdapError(() => d.deployModel({ ...base, modelKind: 'budget', instanceCount: 0 }), 'ERR_KDAP_PARAMETER', /instanceCount/);
    await expectKdapError(() => d.registerModel({ modelPath: path.join(dir, 'missing'), modelName: 'm' }), 'ERR_KDAP_BUNDLE', /no readable model bundle/);
    await expectKdapError(() => d.testEndpoint({ endpointName: 'kdap-e', testData: [] }), 'ERR_KDAP_PARAMETER', /'testData' option of testEndpoint must be a non-empty array of records.*Got an empty array/);
    await expectKdapError(() => d.testEndpoint({ endpointName: 'kdap-e', testData: { rows: [] } as never }), 'ERR_KDAP_PARAMETER', /Got \{"rows":\[\]\}/);
  });
});

describe('the scoring image', () => {
  it("runs the entry point the tests run: the Dockerfile's CMD is the build of container-main.ts", () => {
    const root = path.resolve(__dirname, '../..');
    const dockerfile = readFileSync(path.join(root, 'Dockerfile'), 'utf8');
    const cmd = /^CMD \[(.+)\]$/m.exec(dockerfile)?.[1];
    expect(cmd).toBe('"node", "packages/deploy/dist/container-main.js"');
    expect(readFileSync(path.join(root, 'tsup.config.ts'), 'utf8')).toContain("'container-main': 'src/azure/container-main.ts'");
    expect(CONTAINER_ENTRY_SOURCE).toBe(path.join(root, 'src/azure/container-main.ts'));
    expect(dockerfile).toMatch(/^FROM node:\$\{NODE_VERSION\}-bookworm-slim$/m);
    expect(dockerfile).toMatch(/apt-get install -y --no-install-recommends libgomp1/);
    expect(dockerfile).toMatch(/AZUREML_MODEL_DIR=\/var\/azureml-app\/azureml-models/);
    expect(dockerfile).toMatch(/^EXPOSE 5001$/m);
  });
});
