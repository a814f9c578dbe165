/**
 * A local stand-in for the Azure Resource Manager operations AzureMLDeployer uses, served over
 * TLS, following the Microsoft.MachineLearningServices REST specification (api-version
 * 2022-10-01): datastores (list ?isDefault, listSecrets), models/{name}/versions, environments/
 * {name}/versions, onlineEndpoints (PUT as a long-running operation with Azure-AsyncOperation,
 * listKeys), onlineEndpoints/{e}/deployments (PUT as a long-running operation, getLogs), the
 * operation-status resource, provisioningState, and `{"error": {"code", "message"}}` bodies.
 * Failure modes are injected per request: 409, 429 with Retry-After, 401 for an expired token.
 *
 * A deployment is real: the stand-in downloads the registered model from the blob store (Azurite),
 * lays it out as Azure mounts it (AZUREML_MODEL_DIR/<folder>) and starts the scoring image's entry
 * point (container-main.ts) on it; it ends Succeeded once the readiness route answers 200, Failed
 * when the server reports its model could not load or exits. The endpoint's scoring URI is served
 * here too: the key is checked, then the request goes to the deployment's scoring route.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { BlobServiceClient, StorageSharedKeyCredential } from '@azure/storage-blob';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { AZURITE_ACCOUNT, AZURITE_KEY } from './azurite';
import { freePort } from '../free-port';
import { repoRoot } from '../repo-root';
import type { TestCertificates } from './test-ca';

export const API_VERSION = '2022-10-01';
/** The scoring image's entry point, as source: what the Dockerfile's CMD runs once built. */
const REPO_ROOT = repoRoot();
/** The scoring image's entry point in @kdap/deploy's sources (the file its Dockerfile's build compiles). */
export const CONTAINER_ENTRY_SOURCE = path.join(REPO_ROOT, 'packages', 'deploy', 'src', 'azure', 'container-main.ts');

export interface InjectedFault {
  method: string;
  /** Matched against the request path (without the query). */
  path: RegExp;
  status: 409 | 429 | 500;
  /** Seconds, sent as Retry-After with a 429. */
  retryAfter?: number;
  /** How many matching requests get the fault (default 1). */
  times?: number;
}

export interface RecordedRequest {
  method: string;
  path: string;
  status: number;
  at: number;
  authorization: string | undefined;
}

interface Resource {
  id: string;
  name: string;
  type: string;
  location?: string;
  identity?: unknown;
  sku?: { name: string; capacity?: number };
  properties: Record<string, unknown>;
}

interface Operation {
  id: string;
  status: 'InProgress' | 'Succeeded' | 'Failed';
  error?: { code: string; message: string };
  polls: number;
  startTime: string;
}

interface RunningDeployment {
  child: ChildProcess;
  port: number;
  scoringPath: string;
  log: string[];
}

export interface ArmStandInOptions {
  certificates: TestCertificates;
  /** Azurite's blob URL (the workspace's storage account). */
  blobUrl: string;
  subscriptionId: string;
  resourceGroup: string;
  workspace: string;
  region: string;
  /** Bearer tokens accepted; 'expired-*' tokens get 401 ExpiredAuthenticationToken. */
  validTokens: readonly string[];
  /** Polls of the operation-status resource before an endpoint operation ends (default 2). */
  endpointPolls?: number;
}

/** The ARM stand-in: start with {@link startArmStandIn}, inspect `requests`, inject `faults`. */
export interface ArmStandIn {
  url: string;
  requests: RecordedRequest[];
  faults: InjectedFault[];
  resources: Map<string, Resource>;
  /** Keys of each endpoint (what listKeys returns), to check they never leak. */
  endpointKeys: Map<string, { primaryKey: string; secondaryKey: string }>;
  /** When set, the next deployment's downloaded bundle gets one byte changed (the server must refuse it). */
  tamperNextDeployment: boolean;
  containerName: string;
  close(): Promise<void>;
}

function armError(reply: FastifyReply, status: number, code: string, message: string): FastifyReply {
  return reply.status(status).send({ error: { code, message } });
}


export async function startArmStandIn(options: ArmStandInOptions): Promise<ArmStandIn> {
  const { subscriptionId, resourceGroup, workspace, region } = options;
  const workspaceId = `/subscriptions/${subscriptionId}/resourceGroups/${resourceGroup}/providers/Microsoft.MachineLearningServices/workspaces/${workspace}`;
  const containerName = `azureml-blobstore-${randomUUID()}`;
  const blobService = new BlobServiceClient(options.blobUrl, new StorageSharedKeyCredential(AZURITE_ACCOUNT, AZURITE_KEY));
  await blobService.getContainerClient(containerName).create();
  const scratch = mkdtempSync(path.join(tmpdir(), 'kdap-arm-stand-in-'));

  const resources = new Map<string, Resource>();
  const operations = new Map<string, Operation>();
  const running = new Map<string, RunningDeployment>();
  const endpointKeys = new Map<string, { primaryKey: string; secondaryKey: string }>();
  const requests: RecordedRequest[] = [];
  const faults: InjectedFault[] = [];
  const busy = new Set<string>(); // resource ids with an operation in progress
  const endpointPolls = options.endpointPolls ?? 2;
  let url = '';

  const datastore: Resource = {
    id: `${workspaceId}/datastores/workspaceblobstore`,
    name: 'workspaceblobstore',
    type: 'Microsoft.MachineLearningServices/workspaces/datastores',
    properties: { datastoreType: 'AzureBlob', accountName: AZURITE_ACCOUNT, containerName, endpoint: 'core.windows.net', protocol: 'https', isDefault: true, credentials: { credentialsType: 'AccountKey' } },
  };

  const app: FastifyInstance = Fastify({ https: { key: options.certificates.key, cert: options.certificates.cert }, logger: false, bodyLimit: 10 * 1024 * 1024 });
  const standIn: ArmStandIn = { url: '', requests, faults, resources, endpointKeys, tamperNextDeployment: false, containerName, close: async () => undefined };

  app.addHook('onResponse', async (req, reply) => {
    requests.push({ method: req.method, path: req.url.split('?')[0]!, status: reply.statusCode, at: Date.now(), authorization: req.headers.authorization });
  });

  // ARM front door: token, api-version, injected faults.
  app.addHook('preHandler', async (req: FastifyRequest, reply: FastifyReply) => {
    if (req.url.startsWith('/inference/')) return;
    const auth = req.headers.authorization;
    const token = auth?.startsWith('Bearer ') ? auth.slice(7) : undefined;
    if (token === undefined) return armError(reply.header('www-authenticate', 'Bearer authorization_uri="https://login.microsoftonline.com/common", error="invalid_token"'), 401, 'AuthenticationFailed', "Authentication failed. The 'Authorization' header is missing.");
    if (token.startsWith('expired')) return armError(reply.header('www-authenticate', 'Bearer authorization_uri="https://login.microsoftonline.com/common", error="invalid_token", error_description="The access token expiry UTC time is earlier than current UTC time."'), 401, 'ExpiredAuthenticationToken', "The access token expiry UTC time is earlier than current UTC time.");
    if (!options.validTokens.includes(token)) return armError(reply, 401, 'InvalidAuthenticationToken', 'The access token is invalid.');
    const apiVersion = (req.query as Record<string, string | undefined>)['api-version'];
    if (apiVersion !== API_VERSION) return armError(reply, 400, 'InvalidApiVersionParameter', `The api-version '${apiVersion}' is invalid. The supported versions are '${API_VERSION}'.`);
    const pathOnly = req.url.split('?')[0]!;
    const fault = faults.find((f) => f.method === req.method && f.path.test(pathOnly) && (f.times ?? 1) > 0);
    if (fault) {
      fault.times = (fault.times ?? 1) - 1;
      if (fault.status === 429) return armError(reply.header('retry-after', String(fault.retryAfter ?? 1)), 429, 'TooManyRequests', 'The request was throttled. Retry after the time in the Retry-After header.');
      if (fault.status === 409) return armError(reply, 409, 'Conflict', 'There is an operation in progress on this resource. Wait for it to complete and try again.');
      return armError(reply, 500, 'InternalServerError', 'An internal server error occurred.');
    }
    return undefined;
  });

  const ws = '/subscriptions/:sub/resourceGroups/:rg/providers/Microsoft.MachineLearningServices/workspaces/:ws';
  const idOf = (req: FastifyRequest) => req.url.split('?')[0]!;
  const find = (id: string) => resources.get(id.toLowerCase());
  const put = (r: Resource) => resources.set(r.id.toLowerCase(), r);
  const checkScope = (req: FastifyRequest<{ Params: Record<string, string> }>, reply: FastifyReply) => {
    const p = req.params;
    if (p.sub !== subscriptionId) return armError(reply, 404, 'SubscriptionNotFound', `The subscription '${p.sub}' could not be found.`);
    if (p.rg?.toLowerCase() !== resourceGroup.toLowerCase()) return armError(reply, 404, 'ResourceGroupNotFound', `Resource group '${p.rg}' could not be found.`);
    if (p.ws?.toLowerCase() !== workspace.toLowerCase()) return armError(reply, 404, 'ResourceNotFound', `The Resource 'Microsoft.MachineLearningServices/workspaces/${p.ws}' under resource group '${p.rg}' was not found.`);
    return undefined;
  };
  type Req = FastifyRequest<{ Params: Record<string, string>; Body: Record<string, unknown> | undefined; Querystring: Record<string, string> }>;

  const startOperation = (resourceId: string): Operation => {
    const op: Operation = { id: randomUUID(), status: 'InProgress', polls: 0, startTime: new Date().toISOString() };
    operations.set(op.id, op);
    busy.add(resourceId.toLowerCase());
    return op;
  };
  const finish = (op: Operation, resourceId: string, state: 'Succeeded' | 'Failed', error?: { code: string; message: string }) => {
    op.status = state;
    if (error) op.error = error;
    busy.delete(resourceId.toLowerCase());
    const r = find(resourceId);
    if (r) r.properties.provisioningState = state;
  };
  const asyncHeaders = (reply: FastifyReply, op: Operation) =>
    reply.header('azure-asyncoperation', `${url}/subscriptions/${subscriptionId}/providers/Microsoft.MachineLearningServices/locations/${region}/mfeOperationsStatus/${op.id}?api-version=${API_VERSION}`).header('x-ms-async-operation-timeout', 'PT1H');

  app.get('/subscriptions/:sub/providers/Microsoft.MachineLearningServices/locations/:region/mfeOperationsStatus/:id', async (req: Req, reply) => {
    const op = operations.get(req.params.id!);
    if (!op) return armError(reply, 404, 'NotFound', 'Operation not found.');
    op.polls++;
    const body: Record<string, unknown> = { id: req.url.split('?')[0], name: op.id, status: op.status, startTime: op.startTime };
    if (op.status !== 'InProgress') body.endTime = new Date().toISOString();
    if (op.error) body.error = op.error;
    return reply.send(body);
  });

  // Datastores
  app.get(`${ws}/datastores`, async (req: Req, reply) => {
    if (checkScope(req, reply)) return reply;
    const onlyDefault = req.query.isDefault === 'true';
    return reply.send({ value: onlyDefault || datastore.properties.isDefault ? [datastore] : [] });
  });
  app.post(`${ws}/datastores/:name/listSecrets`, async (req: Req, reply) => {
    if (checkScope(req, reply)) return reply;
    if (req.params.name !== datastore.name) return armError(reply, 404, 'UserError', `Datastore ${req.params.name} not found.`);
    return reply.send({ secretsType: 'AccountKey', key: AZURITE_KEY });
  });

  // Versioned assets (models, environments): immutable once created.
  for (const kind of ['models', 'environments'] as const) {
    app.get(`${ws}/${kind}/:name/versions`, async (req: Req, reply) => {
      if (checkScope(req, reply)) return reply;
      const prefix = `${workspaceId}/${kind}/${req.params.name}/versions/`.toLowerCase();
      const value = [...resources.values()].filter((r) => r.id.toLowerCase().startsWith(prefix));
      if (value.length === 0) return armError(reply, 404, 'UserError', `Could not find asset with name ${req.params.name}`);
      return reply.send({ value });
    });
    app.get(`${ws}/${kind}/:name/versions/:version`, async (req: Req, reply) => {
      if (checkScope(req, reply)) return reply;
      const r = find(idOf(req));
      return r ? reply.send(r) : armError(reply, 404, 'UserError', `Could not find asset with ID: ${idOf(req)}`);
    });
    app.put(`${ws}/${kind}/:name/versions/:version`, async (req: Req, reply) => {
      if (checkScope(req, reply)) return reply;
      const props = (req.body?.properties ?? undefined) as Record<string, unknown> | undefined;
      if (!props) return armError(reply, 400, 'UserError', "The request body must have 'properties'.");
      if (kind === 'models' && typeof props.modelUri !== 'string') return armError(reply, 400, 'UserError', 'modelUri is required.');
      if (kind === 'environments' && !props.image && !(props.build as { contextUri?: string } | undefined)?.contextUri) return armError(reply, 400, 'UserError', 'Either image or build.contextUri is required.');
      const id = `${workspaceId}/${kind}/${req.params.name}/versions/${req.params.version}`;
      const existing = find(id);
      if (existing) {
        if (JSON.stringify(existing.properties.modelUri ?? existing.properties.image ?? existing.properties.build) !== JSON.stringify(props.modelUri ?? props.image ?? props.build)) {
          return armError(reply, 409, 'UserError', `Conflict: ${kind === 'models' ? 'Model' : 'Environment'} version ${req.params.name}:${req.params.version} exists and is immutable.`);
        }
        return reply.status(200).send(existing);
      }
      const r: Resource = { id, name: req.params.version!, type: `Microsoft.MachineLearningServices/workspaces/${kind}/versions`, properties: { ...props, provisioningState: 'Succeeded' } };
      put(r);
      return reply.status(201).send(r);
    });
  }

  // Online endpoints
  app.get(`${ws}/onlineEndpoints/:name`, async (req: Req, reply) => {
    if (checkScope(req, reply)) return reply;
    const r = find(idOf(req));
    return r ? reply.send(r) : armError(reply, 404, 'UserError', `No online endpoint named ${req.params.name}.`);
  });
  app.put(`${ws}/onlineEndpoints/:name`, async (req: Req, reply) => {
    if (checkScope(req, reply)) return reply;
    const id = idOf(req);
    const body = req.body ?? {};
    const props = (body.properties ?? {}) as Record<string, unknown>;
    if (typeof body.location !== 'string') return armError(reply, 400, 'UserError', 'location is required.');
    if (!['Key', 'AMLToken', 'AADToken'].includes(String(props.authMode))) return armError(reply, 400, 'UserError', `authMode must be Key, AMLToken or AADToken. Got ${String(props.authMode)}.`);
    if (busy.has(id.toLowerCase())) return armError(reply, 409, 'Conflict', 'There is an operation in progress on this endpoint.');
    const traffic = (props.traffic ?? {}) as Record<string, number>;
    const sum = Object.values(traffic).reduce((a, b) => a + b, 0);
    if (Object.keys(traffic).length > 0 && sum !== 100 && sum !== 0) return armError(reply, 400, 'UserError', `Traffic must add up to 0 or 100. Got ${sum}.`);
    for (const d of Object.keys(traffic)) if (!find(`${id}/deployments/${d}`)) return armError(reply, 400, 'UserError', `Traffic names deployment ${d}, which does not exist.`);
    const existing = find(id);
    const name = req.params.name!;
    if (!endpointKeys.has(name)) endpointKeys.set(name, { primaryKey: randomBytes(24).toString('base64url'), secondaryKey: randomBytes(24).toString('base64url') });
    const r: Resource = {
      id,
      name,
      type: 'Microsoft.MachineLearningServices/workspaces/onlineEndpoints',
      location: body.location,
      identity: { type: (body.identity as { type?: string } | undefined)?.type ?? 'SystemAssigned', principalId: randomUUID(), tenantId: randomUUID() },
      properties: { ...props, provisioningState: existing ? 'Updating' : 'Creating', scoringUri: `${url}/inference/${name}/score`, swaggerUri: `${url}/inference/${name}/swagger.json`, traffic },
    };
    put(r);
    const op = startOperation(id);
    const poll = setInterval(() => {
      if (op.polls >= endpointPolls) {
        clearInterval(poll);
        finish(op, id, 'Succeeded');
      }
    }, 20);
    return asyncHeaders(reply, op).status(existing ? 200 : 201).send(r);
  });
  app.post(`${ws}/onlineEndpoints/:name/listKeys`, async (req: Req, reply) => {
    if (checkScope(req, reply)) return reply;
    const keys = endpointKeys.get(req.params.name!);
    if (!find(idOf(req).replace(/\/listKeys$/, '')) || !keys) return armError(reply, 404, 'UserError', `No online endpoint named ${req.params.name}.`);
    return reply.send(keys);
  });

  // Deployments
  app.get(`${ws}/onlineEndpoints/:name/deployments/:deployment`, async (req: Req, reply) => {
    if (checkScope(req, reply)) return reply;
    const r = find(idOf(req));
    return r ? reply.send(r) : armError(reply, 404, 'UserError', `No deployment named ${req.params.deployment}.`);
  });
  app.post(`${ws}/onlineEndpoints/:name/deployments/:deployment/getLogs`, async (req: Req, reply) => {
    if (checkScope(req, reply)) return reply;
    const id = idOf(req).replace(/\/getLogs$/, '');
    const run = running.get(id.toLowerCase());
    const tail = Number((req.body as { tail?: number } | undefined)?.tail ?? 100);
    return reply.send({ content: run ? run.log.join('').split('\n').slice(-tail).join('\n') : '' });
  });
  app.put(`${ws}/onlineEndpoints/:name/deployments/:deployment`, async (req: Req, reply) => {
    if (checkScope(req, reply)) return reply;
    const id = idOf(req);
    const endpointId = id.replace(/\/deployments\/[^/]+$/, '');
    const endpoint = find(endpointId);
    if (!endpoint) return armError(reply, 404, 'UserError', `No online endpoint named ${req.params.name}.`);
    if (busy.has(id.toLowerCase()) || busy.has(endpointId.toLowerCase())) return armError(reply, 409, 'Conflict', 'There is an operation in progress on this endpoint or deployment.');
    const body = req.body ?? {};
    const props = (body.properties ?? {}) as Record<string, unknown>;
    if (props.endpointComputeType !== 'Managed') return armError(reply, 400, 'UserError', 'endpointComputeType must be Managed for this endpoint.');
    const model = typeof props.model === 'string' ? find(props.model) : undefined;
    if (!model) return armError(reply, 400, 'UserError', `Model ${String(props.model)} not found.`);
    const environment = typeof props.environmentId === 'string' ? find(props.environmentId) : undefined;
    if (!environment) return armError(reply, 400, 'UserError', `Environment ${String(props.environmentId)} not found.`);
    const sku = body.sku as { name: string; capacity?: number } | undefined;
    if (!sku || !Number.isInteger(sku.capacity) || sku.capacity! < 1) return armError(reply, 400, 'UserError', 'sku.capacity must be an integer >= 1.');
    const existing = find(id);
    const r: Resource = { id, name: req.params.deployment!, type: 'Microsoft.MachineLearningServices/workspaces/onlineEndpoints/deployments', location: String(body.location), sku, properties: { ...props, provisioningState: existing ? 'Updating' : 'Creating' } };
    put(r);
    const op = startOperation(id);
    void runDeployment(id, model, environment, (props.environmentVariables ?? {}) as Record<string, string>).then(
      () => finish(op, id, 'Succeeded'),
      (error: Error & { code?: string }) => finish(op, id, 'Failed', { code: error.code ?? 'ResourceNotReady', message: error.message }),
    );
    return asyncHeaders(reply, op).status(existing ? 200 : 201).send(r);
  });

  /** Downloads the model as Azure mounts it and starts the image's entry point on it. */
  async function runDeployment(id: string, model: Resource, environment: Resource, environmentVariables: Record<string, string>): Promise<void> {
    const previous = running.get(id.toLowerCase());
    if (previous) {
      previous.child.kill('SIGTERM');
      running.delete(id.toLowerCase());
    }
    const uri = String(model.properties.modelUri);
    const m = /^azureml:\/\/subscriptions\/[^/]+\/resourcegroups\/[^/]+\/workspaces\/[^/]+\/datastores\/([^/]+)\/paths\/(.+)$/.exec(uri);
    if (!m || m[1] !== datastore.name) throw Object.assign(new Error(`Model URI ${uri} is not on datastore ${datastore.name}.`), { code: 'UserError' });
    const blobPrefix = m[2]!.replace(/\/+$/, '');
    const modelName = model.id.split('/models/')[1]!.split('/')[0]!;
    const modelDir = path.join(scratch, randomUUID(), 'azureml-models', modelName, model.name);
    const folder = path.join(modelDir, path.posix.basename(blobPrefix));
    const container = blobService.getContainerClient(containerName);
    let files = 0;
    for await (const blob of container.listBlobsFlat({ prefix: `${blobPrefix}/` })) {
      const target = path.join(folder, blob.name.slice(blobPrefix.length + 1));
      mkdirSync(path.dirname(target), { recursive: true });
      writeFileSync(target, await container.getBlobClient(blob.name).downloadToBuffer());
      files++;
    }
    if (files === 0) throw Object.assign(new Error(`No files under ${uri}.`), { code: 'UserError' });
    if (standIn.tamperNextDeployment) {
      standIn.tamperNextDeployment = false;
      const manifest = path.join(folder, 'manifest.json');
      writeFileSync(manifest, readFileSync(manifest, 'utf8').replace(/"created_at": *"/, '"created_at": "1'));
    }
    const routes = environment.properties.inferenceConfig as { readinessRoute?: { path: string }; scoringRoute?: { path: string } } | undefined;
    const port = await freePort();
    const log: string[] = [];
    const child = spawn(process.execPath, ['--conditions=@kdap/source', '-r', 'ts-node/register/transpile-only', CONTAINER_ENTRY_SOURCE], {
      cwd: REPO_ROOT,
      env: { ...process.env, ...environmentVariables, TS_NODE_PROJECT: path.join(REPO_ROOT, 'tsconfig.json'), AZUREML_MODEL_DIR: modelDir, AML_APP_PORT: String(port), KDAP_HOST: '127.0.0.1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout!.on('data', (c: Buffer) => log.push(c.toString()));
    child.stderr!.on('data', (c: Buffer) => log.push(c.toString()));
    running.set(id.toLowerCase(), { child, port, scoringPath: routes?.scoringRoute?.path ?? '/score', log });
    const readiness = `http://127.0.0.1:${port}${routes?.readinessRoute?.path ?? '/'}`;
    const deadline = Date.now() + 120_000;
    while (Date.now() < deadline) {
      if (child.exitCode !== null) throw Object.assign(new Error(`User container has crashed or terminated (exit code ${child.exitCode}).`), { code: 'ResourceNotReady' });
      const answer = await fetch(readiness).then(async (r) => ({ status: r.status, body: await r.text() }), () => undefined);
      if (answer?.status === 200) return;
      if (answer?.status === 503 && answer.body.includes('loading failed')) {
        throw Object.assign(new Error(`The readiness probe failed: the user container reports ${answer.body.slice(0, 300)}`), { code: 'ResourceNotReady' });
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    throw Object.assign(new Error('The readiness probe did not succeed in time.'), { code: 'ResourceNotReady' });
  }

  // The inference front end: key auth, then the deployment's scoring route.
  app.post('/inference/:name/score', async (req: Req, reply) => {
    const name = req.params.name!;
    const endpoint = find(`${workspaceId}/onlineEndpoints/${name}`);
    const keys = endpointKeys.get(name);
    if (!endpoint || !keys) return reply.status(404).send({ message: 'Endpoint not found' });
    const auth = req.headers.authorization ?? '';
    if (auth !== `Bearer ${keys.primaryKey}` && auth !== `Bearer ${keys.secondaryKey}`) return reply.status(401).send({ message: 'Key based authentication is not permitted on this endpoint.' });
    const pinned = req.headers['azureml-model-deployment'];
    const traffic = (endpoint.properties.traffic ?? {}) as Record<string, number>;
    const deployment = typeof pinned === 'string' ? pinned : Object.entries(traffic).find(([, share]) => share > 0)?.[0];
    const run = deployment ? running.get(`${endpoint.id}/deployments/${deployment}`.toLowerCase()) : undefined;
    if (!run) return reply.status(424).send({ message: 'No valid deployments to route to. Please check that the endpoint has at least one deployment with positive weight values or use a deployment specific header to route.' });
    const answer = await fetch(`http://127.0.0.1:${run.port}${run.scoringPath}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(req.body) });
    return reply.status(answer.status).header('content-type', 'application/json').header('azureml-model-deployment', deployment!).send(await answer.text());
  });

  app.setNotFoundHandler((req, reply) => armError(reply, 404, 'NotFound', `The stand-in does not implement ${req.method} ${req.url.split('?')[0]}.`));

  url = await app.listen({ host: '127.0.0.1', port: 0 });
  url = url.replace('localhost', '127.0.0.1');
  standIn.url = url;
  standIn.close = async () => {
    for (const run of running.values()) {
      if (run.child.exitCode === null) {
        const exited = new Promise((r) => run.child.once('exit', r));
        run.child.kill('SIGTERM');
        await exited;
      }
    }
    await app.close();
    rmSync(scratch, { recursive: true, force: true });
  };
  return standIn;
}
