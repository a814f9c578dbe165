import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { Agent } from 'node:https';
import path from 'node:path';
import { AzureMachineLearningWorkspaces, type AzureBlobDatastore, type EnvironmentVersion, type ModelVersion, type OnlineDeployment, type OnlineEndpoint } from '@azure/arm-machinelearning';
import { DefaultAzureCredential, type TokenCredential } from '@azure/identity';
import { BlobServiceClient, StorageSharedKeyCredential, type ContainerClient } from '@azure/storage-blob';
import { loadBundle } from '@kdap/core';
import { BundleError, DeploymentError, ParameterError, checkInt } from '@kdap/errors';
import { deploymentError } from './azure-errors';
import { resolveAzureSettings, type AzureSettings } from './azure-settings';
import { CONTAINER_ROUTES } from './container-server';
import { invokeScoringUri, type ScoringResponse } from './invoke-scoring-uri';
import { resolveModelKind, type DeployableKind } from './model-kind';
import { directoryDigest, listFiles, uploadFiles } from './upload-directory';

/** One step of a deployment, for a progress line. Never carries a key. */
export interface DeployProgress {
  operation: 'registerModel' | 'createEndpoint' | 'deployModel' | 'testEndpoint';
  /** e.g. 'upload', 'create', 'wait', 'skip', 'traffic', 'done'. */
  step: string;
  message: string;
  /** Time since the operation began, for the 'wait' steps of long-running operations. */
  elapsedMs?: number;
}

export interface AzureMLDeployerOptions extends Partial<AzureSettings> {
  /** Default: DefaultAzureCredential (environment, workload or managed identity, Azure CLI, ...). */
  credential?: TokenCredential;
  /** Where missing settings are read from (default: process.env). */
  env?: NodeJS.ProcessEnv;
  /** Azure Resource Manager URL (default https://management.azure.com; another for sovereign clouds). */
  armEndpoint?: string;
  /**
   * Blob service URL of the workspace's default datastore (default
   * `<protocol>://<account>.blob.<endpoint suffix>` from the datastore; e.g. Azurite's
   * `http://127.0.0.1:10000/devstoreaccount1` for tests).
   */
  blobEndpoint?: string;
  /** HTTPS agent for Azure and scoring calls (a proxy, or a private CA). */
  agent?: Agent;
  /** Interval between polls of a long-running operation, in ms (default 5,000; Azure's Retry-After wins). */
  pollIntervalMs?: number;
  onProgress?: (event: DeployProgress) => void;
}

export interface RegisterModelOptions {
  /** A bundle directory written by `kdap train` or `trainer.save()`. */
  modelPath: string;
  modelName: string;
  description?: string;
}

export interface RegisteredModel {
  name: string;
  version: string;
  /** ARM id of the model version (what a deployment's `model` refers to). */
  id: string;
  modelUri: string;
  kind: DeployableKind;
  /** SHA-256 of the bundle's files: the same bundle registers once. */
  digest: string;
  /** false when an identical version was already registered (nothing uploaded). */
  created: boolean;
}

export interface CreateEndpointOptions {
  endpointName: string;
  /** Only key auth: clients send `Authorization: Bearer <key>`, as the Python module's endpoints. */
  authMode?: 'key';
  description?: string;
}

export interface EndpointInfo {
  name: string;
  id: string;
  scoringUri: string | undefined;
  provisioningState: string | undefined;
  traffic: Record<string, number>;
  created: boolean;
}

export interface DeployModelOptions {
  /** The bundle to deploy (registered first, once per content); or give `modelVersion`. */
  modelPath?: string;
  modelName: string;
  /** A registered version to deploy instead of `modelPath`. */
  modelVersion?: string;
  endpointName: string;
  deploymentName?: string;
  /** 'budget' | 'propensity' | 'anomaly', or the Python module's `scoringScript` (score_budget.py, ...). */
  modelKind?: string;
  scoringScript?: string;
  /** The scoring image in a registry (built from packages/deploy/Dockerfile), e.g. `myacr.azurecr.io/kdap-scoring:0.1.0`. */
  image?: string;
  /** Or a directory with the Dockerfile (uploaded; Azure builds the image). */
  buildContext?: string;
  /** Dockerfile path inside `buildContext` (default packages/deploy/Dockerfile when present, else Dockerfile). */
  dockerfilePath?: string;
  instanceType?: string;
  instanceCount?: number;
  environmentVariables?: Record<string, string>;
}

export interface DeploymentInfo {
  endpointName: string;
  deploymentName: string;
  id: string;
  model: string;
  environment: string;
  provisioningState: string | undefined;
  scoringUri: string | undefined;
  /** false when the deployment already ran this model, image and size (nothing changed). */
  updated: boolean;
}

export interface TestEndpointOptions {
  endpointName: string;
  /** Records to score, sent as `{"data": [...]}`; or a whole request body as the Python module took it (`{"data": [...]}` / `{"input_data": ...}`). */
  testData: readonly Record<string, unknown>[] | { data: readonly Record<string, unknown>[] } | { input_data: unknown };
  /** Route to one deployment (`azureml-model-deployment` header) instead of the traffic split. */
  deploymentName?: string;
}

const NAME_RULES = {
  endpointName: { pattern: /^[a-zA-Z][a-zA-Z0-9-]{1,30}[a-zA-Z0-9]$/, text: '3 to 32 letters, digits and hyphens, starting with a letter and not ending with a hyphen' },
  deploymentName: { pattern: /^[a-zA-Z][a-zA-Z0-9-]{1,30}[a-zA-Z0-9]$/, text: '3 to 32 letters, digits and hyphens, starting with a letter and not ending with a hyphen' },
  modelName: { pattern: /^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,254}$/, text: 'up to 255 letters, digits, underscores, dots and hyphens, starting with a letter or digit' },
} as const;

const ENVIRONMENT_NAME = 'kdap-scoring';
const DIGEST_TAG = 'kdap_bundle_sha256';
const TERMINAL = new Set(['Succeeded', 'Failed', 'Canceled']);
/** How long a re-run waits for an operation it did not start (Azure's own deployment timeout is 90 min). */
const SETTLE_TIMEOUT_MS = 90 * 60_000;

/**
 * Deploys KDAP model bundles to an Azure ML managed online endpoint, with the calls of the Python
 * module's `AzureMLDeployer`: `registerModel` (bundle uploaded to the workspace's default datastore,
 * a model version created), `createEndpoint` (key auth), `deployModel` (the scoring image with the
 * inference routes, 100% traffic) and `testEndpoint`. Every call is idempotent: a re-run finds
 * what exists and changes only what differs. Long-running operations report progress through
 * `onProgress`; keys never reach a log line, a progress event or an error message.
 */
export class AzureMLDeployer {
  readonly settings: AzureSettings;
  readonly #client: AzureMachineLearningWorkspaces;
  readonly #options: AzureMLDeployerOptions;
  readonly #pollIntervalMs: number;

  constructor(options: AzureMLDeployerOptions = {}) {
    this.settings = resolveAzureSettings(options, options.env ?? process.env);
    const pollIntervalMs = options.pollIntervalMs ?? 5000;
    checkInt('AzureMLDeployer', 'pollIntervalMs', pollIntervalMs, 1);
    this.#pollIntervalMs = pollIntervalMs;
    this.#options = options;
    const credential = options.credential ?? new DefaultAzureCredential();
    const endpoint = (options.armEndpoint ?? 'https://management.azure.com').replace(/\/+$/, '');
    this.#client = new AzureMachineLearningWorkspaces(credential, this.settings.subscriptionId, {
      endpoint,
      $host: endpoint,
      credentialScopes: ['https://management.azure.com/.default'],
      ...(options.agent !== undefined ? { agent: options.agent } : {}),
    });
  }

  /**
   * Uploads the bundle to the workspace's default datastore and creates a model version. The
   * version is the next number unless an identical bundle (same SHA-256) is registered already,
   * which is then returned without uploading.
   */
  async registerModel(options: RegisterModelOptions): Promise<RegisteredModel> {
    const op = 'registerModel';
    checkName('modelName', options.modelName, op);
    const { kind, files, digest } = await readBundle(options.modelPath, op);
    const { resourceGroup: rg, workspace: ws } = this.settings;

    const existing = await this.#modelVersions(options.modelName);
    const same = existing.find((v) => v.properties.tags?.[DIGEST_TAG] === digest);
    if (same !== undefined) {
      this.#progress(op, 'skip', `model ${options.modelName} version ${same.name} already holds this bundle (sha256 ${digest.slice(0, 12)}); nothing uploaded`);
      return { name: options.modelName, version: same.name!, id: same.id!, modelUri: same.properties.modelUri ?? '', kind, digest, created: false };
    }
    const version = String(existing.reduce((max, v) => Math.max(max, Number(v.name) || 0), 0) + 1);

    const { container, datastore } = await this.#defaultDatastore(op);
    const folder = path.basename(path.resolve(options.modelPath));
    const blobPath = `kdap/models/${options.modelName}/${digest.slice(0, 32)}/${folder}`;
    this.#progress(op, 'upload', `uploading ${files.length} files of ${options.modelPath} to datastore ${datastore}`);
    const bytes = await this.#call(op, () => uploadFiles(container, files, blobPath));
    this.#progress(op, 'upload', `uploaded ${bytes.toLocaleString('en-US')} bytes`);

    const modelUri = this.#datastoreUri(datastore, blobPath);
    const created = await this.#call(op, () =>
      this.#client.modelVersions.createOrUpdate(rg, ws, options.modelName, version, {
        properties: {
          modelUri,
          modelType: 'custom_model',
          description: options.description ?? `KDAP ${kind} model bundle`,
          tags: { [DIGEST_TAG]: digest, kdap_model_kind: kind },
          properties: { kdap_model_kind: kind },
        },
      }),
    );
    this.#progress(op, 'done', `registered model ${options.modelName} version ${version}`);
    return { name: options.modelName, version, id: created.id!, modelUri, kind, digest, created: true };
  }

  /** Creates the endpoint with key auth, or returns it when it exists with key auth already. */
  async createEndpoint(options: CreateEndpointOptions): Promise<EndpointInfo> {
    const op = 'createEndpoint';
    checkName('endpointName', options.endpointName, op);
    if (options.authMode !== undefined && options.authMode !== 'key') {
      throw new ParameterError('authMode', `The 'authMode' option of createEndpoint must be 'key' (clients send "Authorization: Bearer <key>"). Got '${String(options.authMode)}'.`);
    }
    const existing = await this.#waitUntilSettled(op, `endpoint ${options.endpointName}`, () => this.#getEndpoint(options.endpointName));
    if (existing !== undefined && existing.properties.provisioningState === 'Succeeded') {
      if (existing.properties.authMode?.toLowerCase() !== 'key') {
        throw new DeploymentError(op, `Endpoint '${options.endpointName}' exists with authMode '${existing.properties.authMode}', not key auth. Delete it ('az ml online-endpoint delete -n ${options.endpointName}') or choose another endpointName.`);
      }
      this.#progress(op, 'skip', `endpoint ${options.endpointName} exists (key auth)`);
      return endpointInfo(existing, false);
    }
    const body: OnlineEndpoint = {
      location: this.settings.region,
      identity: { type: 'SystemAssigned' },
      properties: { authMode: 'Key', description: options.description ?? 'KDAP ML scoring endpoint', ...(existing?.properties.traffic ? { traffic: existing.properties.traffic } : {}) },
    };
    this.#progress(op, 'create', `creating endpoint ${options.endpointName} in ${this.settings.region}`);
    const endpoint = await this.#longRunning(op, `endpoint ${options.endpointName}`, (o) => this.#client.onlineEndpoints.beginCreateOrUpdate(this.settings.resourceGroup, this.settings.workspace, options.endpointName, body, o), () => this.#getEndpoint(options.endpointName));
    this.#progress(op, 'done', `endpoint ${options.endpointName} is ${endpoint.properties.provisioningState}`);
    return endpointInfo(endpoint, true);
  }

  /**
   * Creates or updates a managed deployment of the scoring image serving the model (registered
   * from `modelPath` when given), then routes 100% of the endpoint's traffic to it. A deployment
   * that already runs this model, environment and size is left alone.
   */
  async deployModel(options: DeployModelOptions): Promise<DeploymentInfo> {
    const op = 'deployModel';
    const kind = resolveModelKind(options, op);
    checkName('endpointName', options.endpointName, op);
    checkName('modelName', options.modelName, op);
    const deploymentName = options.deploymentName ?? 'blue';
    checkName('deploymentName', deploymentName, op);
    const instanceType = options.instanceType ?? 'Standard_DS2_v2';
    if (!/^[A-Za-z0-9_]+$/.test(instanceType)) throw new ParameterError('instanceType', `The 'instanceType' option of deployModel must be an Azure VM size such as 'Standard_DS2_v2'. Got '${instanceType}'.`);
    const instanceCount = options.instanceCount ?? 1;
    checkInt('deployModel', 'instanceCount', instanceCount, 1, 100);
    if ((options.image === undefined) === (options.buildContext === undefined)) {
      throw new ParameterError('image', "deployModel needs exactly one of 'image' (the scoring image in a registry, built from packages/deploy/Dockerfile) or 'buildContext' (a directory Azure builds it from).");
    }
    if ((options.modelPath === undefined) === (options.modelVersion === undefined)) {
      throw new ParameterError('modelPath', "deployModel needs exactly one of 'modelPath' (a bundle directory, registered first) or 'modelVersion' (a version registered already).");
    }
    const { resourceGroup: rg, workspace: ws } = this.settings;

    let modelId: string;
    if (options.modelPath !== undefined) {
      const model = await this.registerModel({ modelPath: options.modelPath, modelName: options.modelName });
      if (model.kind !== kind) throw new ParameterError('modelKind', `The bundle at '${options.modelPath}' holds a ${model.kind} model, but deployModel was asked to deploy a ${kind} model. Pass the matching bundle or modelKind/scoringScript.`);
      modelId = model.id;
    } else {
      const version = await this.#call(op, () => this.#client.modelVersions.get(rg, ws, options.modelName, options.modelVersion!)).catch((e: DeploymentError) => {
        if (e.status === 404) throw new ParameterError('modelVersion', `Model '${options.modelName}' has no version '${options.modelVersion}' in workspace '${ws}'. Register it with registerModel (or pass modelPath).`);
        throw e;
      });
      const registeredKind = version.properties.tags?.kdap_model_kind;
      if (registeredKind !== undefined && registeredKind !== kind) throw new ParameterError('modelKind', `Model '${options.modelName}' version ${options.modelVersion} holds a ${registeredKind} model, but deployModel was asked to deploy a ${kind} model.`);
      modelId = version.id!;
    }

    const environmentId = await this.#environment(options);
    const endpoint = await this.#getEndpoint(options.endpointName);
    if (endpoint === undefined) throw new DeploymentError(op, `Endpoint '${options.endpointName}' does not exist: call createEndpoint (kdap deploy does) first.`, { status: 404, serviceCode: 'ResourceNotFound' });

    const environmentVariables = { KDAP_MODEL_KIND: kind, ...options.environmentVariables };
    const current = await this.#waitUntilSettled(op, `deployment ${deploymentName}`, () => this.#getDeployment(options.endpointName, deploymentName));
    const p = current?.properties;
    const unchanged =
      p?.provisioningState === 'Succeeded' && p.model === modelId && p.environmentId === environmentId && p.instanceType === instanceType && current?.sku?.capacity === instanceCount && sameRecord(p.environmentVariables ?? {}, environmentVariables);
    let deployment: OnlineDeployment;
    if (unchanged) {
      this.#progress(op, 'skip', `deployment ${deploymentName} already serves this model and image on ${instanceCount} x ${instanceType}`);
      deployment = current!;
    } else {
      const body: OnlineDeployment = {
        location: this.settings.region,
        sku: { name: 'Default', capacity: instanceCount },
        properties: {
          endpointComputeType: 'Managed',
          model: modelId,
          environmentId,
          instanceType,
          scaleSettings: { scaleType: 'Default' },
          environmentVariables,
          description: `KDAP ${kind} scoring server`,
          livenessProbe: { initialDelay: 'PT10S', period: 'PT10S', timeout: 'PT2S', failureThreshold: 30 },
          readinessProbe: { initialDelay: 'PT10S', period: 'PT10S', timeout: 'PT2S', failureThreshold: 30 },
          requestSettings: { requestTimeout: 'PT5S', maxConcurrentRequestsPerInstance: 8 },
        },
      };
      this.#progress(op, 'create', `${current ? 'updating' : 'creating'} deployment ${deploymentName} on ${options.endpointName}: ${instanceCount} x ${instanceType}`);
      deployment = await this.#longRunning(
        op,
        `deployment ${deploymentName}`,
        (o) => this.#client.onlineDeployments.beginCreateOrUpdate(rg, ws, options.endpointName, deploymentName, body, o),
        () => this.#getDeployment(options.endpointName, deploymentName),
        () => this.#deploymentLogs(options.endpointName, deploymentName),
      );
    }

    const settled = (await this.#getEndpoint(options.endpointName)) ?? endpoint;
    const traffic = settled.properties.traffic ?? {};
    if (traffic[deploymentName] !== 100 || Object.entries(traffic).some(([name, share]) => name !== deploymentName && share !== 0)) {
      this.#progress(op, 'traffic', `routing 100% of ${options.endpointName}'s traffic to ${deploymentName}`);
      const body: OnlineEndpoint = { location: settled.location, ...(settled.identity ? { identity: { type: settled.identity.type } } : {}), properties: { authMode: settled.properties.authMode, ...(settled.properties.description ? { description: settled.properties.description } : {}), traffic: { ...Object.fromEntries(Object.keys(traffic).map((k) => [k, 0])), [deploymentName]: 100 } } };
      await this.#longRunning(op, `endpoint ${options.endpointName}`, (o) => this.#client.onlineEndpoints.beginCreateOrUpdate(rg, ws, options.endpointName, body, o), () => this.#getEndpoint(options.endpointName));
    }
    this.#progress(op, 'done', `deployment ${deploymentName} is ${deployment.properties.provisioningState} with 100% traffic`);
    return {
      endpointName: options.endpointName,
      deploymentName,
      id: deployment.id!,
      model: modelId,
      environment: environmentId,
      provisioningState: deployment.properties.provisioningState,
      scoringUri: settled.properties.scoringUri,
      updated: !unchanged,
    };
  }

  /** Fetches the endpoint's key and scores `testData` through its scoring URI. */
  async testEndpoint(options: TestEndpointOptions): Promise<ScoringResponse> {
    const op = 'testEndpoint';
    checkName('endpointName', options.endpointName, op);
    if (options.deploymentName !== undefined) checkName('deploymentName', options.deploymentName, op);
    const payload = requestBody(options.testData);
    const endpoint = await this.#getEndpoint(options.endpointName);
    if (endpoint?.properties.scoringUri === undefined) throw new DeploymentError(op, `Endpoint '${options.endpointName}' does not exist or has no scoring URI yet: run createEndpoint and deployModel first.`, { status: 404 });
    const keys = await this.#call(op, () => this.#client.onlineEndpoints.listKeys(this.settings.resourceGroup, this.settings.workspace, options.endpointName));
    const key = keys.primaryKey ?? keys.secondaryKey;
    if (!key) throw new DeploymentError(op, `Endpoint '${options.endpointName}' returned no keys: is it a key-auth endpoint? (createEndpoint makes one.)`);
    this.#progress(op, 'invoke', `scoring ${payload.count} records at ${endpoint.properties.scoringUri}`);
    const response = await invokeScoringUri(endpoint.properties.scoringUri, key, payload.body, { deploymentName: options.deploymentName, agent: this.#options.agent });
    if (response.status !== 200) {
      const detail = typeof response.body === 'object' && response.body !== null ? JSON.stringify(response.body).slice(0, 500) : String(response.body).slice(0, 500);
      throw new DeploymentError(op, `The endpoint '${options.endpointName}' answered ${response.status} to the test records: ${detail}`, { status: response.status });
    }
    this.#progress(op, 'done', `scored ${payload.count} records in ${response.latencyMs.toFixed(0)} ms`);
    return response;
  }

  // ---- internals ----

  #progress(operation: DeployProgress['operation'], step: string, message: string, elapsedMs?: number): void {
    this.#options.onProgress?.({ operation, step, message, ...(elapsedMs !== undefined ? { elapsedMs } : {}) });
  }

  async #call<T>(operation: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (error) {
      throw deploymentError(operation, error);
    }
  }

  /** `get` as undefined on 404. */
  async #getOrUndefined<T>(operation: string, fn: () => Promise<T>): Promise<T | undefined> {
    try {
      return await fn();
    } catch (error) {
      if ((error as { statusCode?: number }).statusCode === 404) return undefined;
      throw deploymentError(operation, error);
    }
  }

  #getEndpoint(name: string): Promise<OnlineEndpoint | undefined> {
    return this.#getOrUndefined('getEndpoint', () => this.#client.onlineEndpoints.get(this.settings.resourceGroup, this.settings.workspace, name));
  }

  #getDeployment(endpointName: string, name: string): Promise<OnlineDeployment | undefined> {
    return this.#getOrUndefined('getDeployment', () => this.#client.onlineDeployments.get(this.settings.resourceGroup, this.settings.workspace, endpointName, name));
  }

  async #modelVersions(name: string): Promise<ModelVersion[]> {
    const out: ModelVersion[] = [];
    try {
      for await (const v of this.#client.modelVersions.list(this.settings.resourceGroup, this.settings.workspace, name)) out.push(v);
    } catch (error) {
      if ((error as { statusCode?: number }).statusCode === 404) return [];
      throw deploymentError('registerModel', error);
    }
    return out;
  }

  async #deploymentLogs(endpointName: string, deploymentName: string): Promise<string> {
    try {
      const logs = await this.#client.onlineDeployments.getLogs(this.settings.resourceGroup, this.settings.workspace, endpointName, deploymentName, { containerType: 'InferenceServer', tail: 20 });
      return logs.content ?? '';
    } catch {
      return '';
    }
  }

  /** The default datastore's container, with the account key from listSecrets. */
  async #defaultDatastore(operation: string): Promise<{ container: ContainerClient; datastore: string }> {
    const { resourceGroup: rg, workspace: ws } = this.settings;
    let found: { name: string; properties: AzureBlobDatastore } | undefined;
    await this.#call(operation, async () => {
      for await (const d of this.#client.datastores.list(rg, ws, { isDefault: true })) {
        if (d.properties.datastoreType === 'AzureBlob') {
          found = { name: d.name!, properties: d.properties as AzureBlobDatastore };
          break;
        }
      }
    });
    if (found === undefined) throw new DeploymentError(operation, `Workspace '${ws}' has no default blob datastore to upload to: set one ('az ml datastore update --set is_default=true') and run again.`);
    const { name, properties } = found;
    const secrets = await this.#call(operation, () => this.#client.datastores.listSecrets(rg, ws, name));
    const accountKey = secrets.secretsType === 'AccountKey' ? (secrets as { key?: string }).key : undefined;
    if (!accountKey || !properties.accountName || !properties.containerName) {
      throw new DeploymentError(operation, `The default datastore '${name}' of workspace '${ws}' has no account key to upload with (identity-based datastores are not supported yet): use an account-key datastore as the default.`);
    }
    const url = this.#options.blobEndpoint ?? `${properties.protocol ?? 'https'}://${properties.accountName}.blob.${properties.endpoint ?? 'core.windows.net'}`;
    const service = new BlobServiceClient(url, new StorageSharedKeyCredential(properties.accountName, accountKey), { retryOptions: { maxTries: 4 } });
    return { container: service.getContainerClient(properties.containerName), datastore: name };
  }

  #datastoreUri(datastore: string, blobPath: string): string {
    const { subscriptionId, resourceGroup, workspace } = this.settings;
    return `azureml://subscriptions/${subscriptionId}/resourcegroups/${resourceGroup}/workspaces/${workspace}/datastores/${datastore}/paths/${blobPath}`;
  }

  /**
   * The scoring environment (image reference or uploaded build context, with the inference
   * routes), versioned by content so a re-run reuses it.
   */
  async #environment(options: DeployModelOptions): Promise<string> {
    const op = 'deployModel';
    const { resourceGroup: rg, workspace: ws } = this.settings;
    const inferenceConfig = {
      livenessRoute: { path: CONTAINER_ROUTES.liveness, port: CONTAINER_ROUTES.port },
      readinessRoute: { path: CONTAINER_ROUTES.readiness, port: CONTAINER_ROUTES.port },
      scoringRoute: { path: CONTAINER_ROUTES.scoring, port: CONTAINER_ROUTES.port },
    };
    let properties: EnvironmentVersion['properties'];
    let version: string;
    if (options.image !== undefined) {
      if (!/^[\w.-]+(:\d+)?(\/[\w.-]+)+(:[\w.-]+|@sha256:[0-9a-f]{64})?$/.test(options.image)) {
        throw new ParameterError('image', `The 'image' option of deployModel must be an image reference such as 'myregistry.azurecr.io/kdap-scoring:0.1.0'. Got '${options.image}'.`);
      }
      properties = { image: options.image, inferenceConfig, osType: 'Linux', description: 'KDAP ML scoring server' };
      version = `img-${sha256Hex(options.image).slice(0, 16)}`;
    } else {
      const dir = path.resolve(options.buildContext!);
      const ignore = await readFile(path.join(dir, '.dockerignore'), 'utf8').then((t) => t.split('\n'), () => []);
      const files = await listFiles(dir, ignore).catch(() => {
        throw new ParameterError('buildContext', `The 'buildContext' option of deployModel must be a directory. '${options.buildContext}' cannot be read.`);
      });
      const dockerfilePath = options.dockerfilePath ?? (files.some((f) => f.relative === 'packages/deploy/Dockerfile') ? 'packages/deploy/Dockerfile' : 'Dockerfile');
      if (!files.some((f) => f.relative === dockerfilePath)) {
        throw new ParameterError('dockerfilePath', `The build context '${options.buildContext}' has no '${dockerfilePath}' (or it is excluded by .dockerignore). Point buildContext at the repository root, or pass dockerfilePath.`);
      }
      const digest = await directoryDigest(files);
      version = `ctx-${digest.slice(0, 16)}`;
      const existing = await this.#getOrUndefined(op, () => this.#client.environmentVersions.get(rg, ws, ENVIRONMENT_NAME, version));
      if (existing !== undefined) return existing.id!;
      const { container, datastore } = await this.#defaultDatastore(op);
      const blobPath = `kdap/build-contexts/${digest.slice(0, 32)}`;
      this.#progress(op, 'upload', `uploading the build context (${files.length} files) to datastore ${datastore}`);
      await this.#call(op, () => uploadFiles(container, files, blobPath));
      properties = { build: { contextUri: this.#datastoreUri(datastore, blobPath), dockerfilePath }, inferenceConfig, osType: 'Linux', description: 'KDAP ML scoring server (built by Azure from the uploaded context)' };
    }
    const existing = await this.#getOrUndefined(op, () => this.#client.environmentVersions.get(rg, ws, ENVIRONMENT_NAME, version));
    if (existing !== undefined) return existing.id!;
    this.#progress(op, 'environment', `creating environment ${ENVIRONMENT_NAME}:${version}`);
    const created = await this.#call(op, () => this.#client.environmentVersions.createOrUpdate(rg, ws, ENVIRONMENT_NAME, version, { properties }));
    return created.id!;
  }

  /** Waits (with progress) while a resource is mid-operation, so a re-run does not collide with the last one. */
  async #waitUntilSettled<T extends { properties: { provisioningState?: string } }>(operation: DeployProgress['operation'], what: string, get: () => Promise<T | undefined>): Promise<T | undefined> {
    const started = Date.now();
    for (;;) {
      const resource = await get();
      const state = resource?.properties.provisioningState;
      if (resource === undefined || state === undefined || TERMINAL.has(state)) return resource;
      if (Date.now() - started > SETTLE_TIMEOUT_MS) {
        throw new DeploymentError(operation, `${what} has been ${state} for over ${SETTLE_TIMEOUT_MS / 60_000} minutes. Look at it in Azure ML studio ('az ml online-endpoint show'), and run again once it has finished.`, { serviceCode: state });
      }
      this.#progress(operation, 'wait', `${what} is ${state}; waiting for it to finish`, Date.now() - started);
      await sleep(this.#pollIntervalMs);
    }
  }

  /**
   * Runs a PUT that Azure answers as a long-running operation and polls it to the end with
   * progress. A 409 (another operation still running on the resource) waits for that one, then
   * retries once; an operation ending Failed becomes a DeploymentError with Azure's code, message
   * and, for deployments, the tail of the container log.
   */
  async #longRunning<T extends { properties: { provisioningState?: string } }>(
    operation: DeployProgress['operation'],
    what: string,
    begin: (options: { updateIntervalInMs: number }) => Promise<{ pollUntilDone(): Promise<T>; onProgress(cb: (state: unknown) => void): unknown }>,
    get: () => Promise<T | undefined>,
    logs?: () => Promise<string>,
  ): Promise<T> {
    const started = Date.now();
    for (let attempt = 0; ; attempt++) {
      let failure: { code: string; message: string };
      try {
        const poller = await begin({ updateIntervalInMs: this.#pollIntervalMs });
        poller.onProgress(() => this.#progress(operation, 'wait', `${what}: provisioning (${Math.round((Date.now() - started) / 1000)} s)`, Date.now() - started));
        const result = await poller.pollUntilDone();
        const state = result.properties.provisioningState;
        if (state !== undefined && state !== 'Succeeded') failure = { code: state, message: `${what} is ${state}` };
        else return result;
      } catch (error) {
        if ((error as { statusCode?: number }).statusCode === 409 && attempt === 0) {
          this.#progress(operation, 'wait', `${what} is busy with another operation (409 Conflict); waiting for it to finish, then retrying`, Date.now() - started);
          await sleep(this.#pollIntervalMs);
          await this.#waitUntilSettled(operation, what, get);
          continue;
        }
        const failed = /^The long-running operation has failed(?:\. ([^.]+)\. ([\s\S]*))?$/.exec((error as Error)?.message ?? '');
        if (failed === null) throw deploymentError(operation, error);
        failure = { code: failed[1] ?? 'Failed', message: failed[2] ?? 'Azure gave no reason' };
      }
      const tail = logs ? (await logs()).trim().split('\n').slice(-10).join('\n') : '';
      throw new DeploymentError(
        operation,
        `${what} ended Failed (${failure.code}): ${failure.message.replace(/\.$/, '')}.${tail ? `\nLast lines of the container log:\n${tail}` : ''}\nSee 'az ml online-deployment get-logs' and fix the cause; running the same call again retries.`,
        { serviceCode: failure.code },
      );
    }
  }
}

function endpointInfo(endpoint: OnlineEndpoint, created: boolean): EndpointInfo {
  return { name: endpoint.name!, id: endpoint.id!, scoringUri: endpoint.properties.scoringUri, provisioningState: endpoint.properties.provisioningState, traffic: endpoint.properties.traffic ?? {}, created };
}

function checkName(parameter: keyof typeof NAME_RULES, value: unknown, owner: string): void {
  const rule = NAME_RULES[parameter];
  if (typeof value !== 'string' || !rule.pattern.test(value)) {
    throw new ParameterError(parameter, `The '${parameter}' option of ${owner} must be ${rule.text} (Azure's rule). Got ${typeof value === 'string' ? `'${value}'` : String(value)}.`);
  }
}

/** Reads and verifies a bundle before anything is uploaded. */
async function readBundle(modelPath: string, operation: string): Promise<{ kind: DeployableKind; files: Awaited<ReturnType<typeof listFiles>>; digest: string }> {
  if (typeof modelPath !== 'string' || modelPath === '') throw new ParameterError('modelPath', `The 'modelPath' option of ${operation} must be a model bundle directory (written by 'kdap train' or trainer.save()).`);
  let kind: unknown;
  try {
    kind = (JSON.parse(await readFile(path.join(modelPath, 'manifest.json'), 'utf8')) as { kind?: unknown }).kind;
  } catch {
    throw new BundleError(modelPath, `There is no readable model bundle at '${modelPath}' (manifest.json missing or not JSON). Pass the directory written by 'kdap train' or trainer.save().`);
  }
  const deployable = resolveModelKind({ modelKind: String(kind) }, operation);
  await loadBundle(modelPath, { kind: deployable });
  const files = await listFiles(modelPath);
  return { kind: deployable, files, digest: await directoryDigest(files) };
}

/** The request body for testEndpoint's `testData`, and how many records it holds. */
function requestBody(testData: TestEndpointOptions['testData']): { body: unknown; count: number } {
  const shape = "The 'testData' option of testEndpoint must be a non-empty array of records (e.g. [{\"channel_id\": \"search\", \"current_spend\": 5000}]) or a request body {\"data\": [...]} / {\"input_data\": ...}.";
  if (Array.isArray(testData)) {
    if (testData.length === 0) throw new ParameterError('testData', `${shape} Got an empty array.`);
    return { body: { data: testData }, count: testData.length };
  }
  if (typeof testData === 'object' && testData !== null) {
    const body = testData as { data?: unknown; input_data?: unknown };
    if (Array.isArray(body.data) && body.data.length > 0) return { body, count: body.data.length };
    if (body.input_data !== undefined) {
      const rows = Array.isArray(body.input_data) ? body.input_data : (body.input_data as { data?: unknown[] })?.data;
      return { body, count: Array.isArray(rows) ? rows.length : 1 };
    }
  }
  throw new ParameterError('testData', `${shape} Got ${JSON.stringify(testData)?.slice(0, 100)}.`);
}

function sameRecord(a: Record<string, string | null>, b: Record<string, string>): boolean {
  const ka = Object.keys(a);
  return ka.length === Object.keys(b).length && ka.every((k) => a[k] === b[k]);
}

function sha256Hex(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
