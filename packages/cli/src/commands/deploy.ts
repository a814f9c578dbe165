import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { AzureMLDeployer, resolveModelKind, type AzureMLDeployerOptions, type DeploymentInfo, type EndpointInfo, type TestEndpointOptions } from '@kdap/deploy';
import { BundleError, ParameterError } from '@kdap/errors';
import type { CommandContext } from '../context';

/** The flags of `kdap deploy`: the Python `train.py deploy` flags plus the image to run. */
export interface DeployFlags {
  modelPath: string;
  modelName: string;
  endpointName: string;
  deploymentName: string;
  scoringScript?: string;
  modelKind?: string;
  instanceType: string;
  instanceCount: number;
  image?: string;
  buildContext?: string;
  dockerfile?: string;
  testData?: string;
}

export interface DeployResult {
  model: { name: string; version: string; kind: string; created: boolean };
  endpoint: Pick<EndpointInfo, 'name' | 'scoringUri' | 'created'>;
  deployment: Pick<DeploymentInfo, 'deploymentName' | 'provisioningState' | 'updated'> & { instanceType: string; instanceCount: number };
  test?: { status: number; latency_ms: number; records: unknown };
}

/**
 * `kdap deploy`: register the bundle, create the endpoint (key auth), deploy the scoring image
 * with 100% traffic and, with --test-data, score those records through the endpoint. Settings
 * come from AZURE_SUBSCRIPTION_ID, AZURE_RESOURCE_GROUP, AZURE_ML_WORKSPACE and AZURE_REGION,
 * credentials from DefaultAzureCredential. Each step is idempotent: a re-run resumes.
 * `deployer` lets an application (or a test) pass a credential, agent or endpoints.
 */
export async function deployCommand(flags: DeployFlags, ctx: CommandContext, deployer: Partial<AzureMLDeployerOptions> = {}): Promise<DeployResult> {
  const modelPath = path.resolve(ctx.cwd, flags.modelPath);
  const bundleKind = await readBundleKind(modelPath, flags.modelPath);
  // --scoring-script / --model-kind must name a model this image serves; without either, the bundle says.
  const kind = resolveModelKind(flags.modelKind !== undefined || flags.scoringScript !== undefined ? { modelKind: flags.modelKind, scoringScript: flags.scoringScript } : { modelKind: bundleKind }, 'kdap deploy');
  if (flags.modelKind !== undefined && flags.scoringScript !== undefined && resolveModelKind({ scoringScript: flags.scoringScript }, 'kdap deploy') !== kind) {
    throw new ParameterError('scoring-script', `--scoring-script ${flags.scoringScript} serves a different model than --model-kind ${flags.modelKind}: give one of them.`);
  }
  if (kind !== bundleKind) {
    throw new ParameterError(flags.scoringScript !== undefined ? 'scoring-script' : 'model-kind', `The bundle at '${flags.modelPath}' holds a ${bundleKind} model, but ${flags.scoringScript !== undefined ? `--scoring-script ${flags.scoringScript}` : `--model-kind ${flags.modelKind}`} deploys a ${kind} model. Pass the matching bundle or flag.`);
  }
  if ((flags.image === undefined) === (flags.buildContext === undefined)) {
    throw new ParameterError('image', 'kdap deploy needs exactly one of --image <registry/kdap-scoring:tag> (built from packages/deploy/Dockerfile) or --build-context <dir> (uploaded; Azure builds the image).');
  }
  const testData = flags.testData !== undefined ? await readTestData(path.resolve(ctx.cwd, flags.testData), flags.testData) : undefined;

  const azure = new AzureMLDeployer({
    env: ctx.env,
    onProgress: (event) => ctx.out.info(`${ctx.out.dim(`[${event.operation}]`)} ${event.message}`),
    ...deployer,
  });
  const { workspace, region } = azure.settings;
  ctx.out.info(`deploying ${kind} model '${flags.modelName}' to endpoint '${flags.endpointName}' in workspace ${workspace} (${region})`);

  const model = await azure.registerModel({ modelPath, modelName: flags.modelName });
  const endpoint = await azure.createEndpoint({ endpointName: flags.endpointName, authMode: 'key' });
  const deployment = await azure.deployModel({
    modelName: flags.modelName,
    modelVersion: model.version,
    endpointName: flags.endpointName,
    deploymentName: flags.deploymentName,
    modelKind: kind,
    instanceType: flags.instanceType,
    instanceCount: flags.instanceCount,
    ...(flags.image !== undefined ? { image: flags.image } : { buildContext: path.resolve(ctx.cwd, flags.buildContext!) }),
    ...(flags.dockerfile !== undefined ? { dockerfilePath: flags.dockerfile } : {}),
  });
  const result: DeployResult = {
    model: { name: model.name, version: model.version, kind: model.kind, created: model.created },
    endpoint: { name: endpoint.name, scoringUri: deployment.scoringUri ?? endpoint.scoringUri, created: endpoint.created },
    deployment: { deploymentName: deployment.deploymentName, provisioningState: deployment.provisioningState, updated: deployment.updated, instanceType: flags.instanceType, instanceCount: flags.instanceCount },
  };
  if (testData !== undefined) {
    const answer = await azure.testEndpoint({ endpointName: flags.endpointName, testData });
    result.test = { status: answer.status, latency_ms: Math.round(answer.latencyMs), records: answer.body };
  }
  return result;
}

/** The human summary of a deployment (stdout); never a key. */
export function printDeployResult(result: DeployResult, ctx: CommandContext): void {
  const { out } = ctx;
  const line = (k: string, v: string) => out.result(`${out.dim(k.padEnd(12))} ${v}`);
  line('model', `${result.model.name} version ${result.model.version} (${result.model.kind}${result.model.created ? ', registered now' : ', already registered'})`);
  line('endpoint', `${result.endpoint.name}${result.endpoint.created ? ' (created)' : ''}`);
  line('scoring URI', result.endpoint.scoringUri ?? '(none yet)');
  line('deployment', `${result.deployment.deploymentName}: ${result.deployment.provisioningState}, ${result.deployment.instanceCount} x ${result.deployment.instanceType}, 100% traffic${result.deployment.updated ? '' : ' (unchanged)'}`);
  if (result.test) line('test', `HTTP ${result.test.status} in ${result.test.latency_ms} ms: ${JSON.stringify(result.test.records).slice(0, 400)}`);
  out.result(out.dim(`key: az ml online-endpoint get-credentials -n ${result.endpoint.name} (kdap never prints it)`));
}

async function readBundleKind(dir: string, given: string): Promise<string> {
  try {
    return String((JSON.parse(await readFile(path.join(dir, 'manifest.json'), 'utf8')) as { kind?: unknown }).kind);
  } catch {
    throw new BundleError(given, `There is no readable model bundle at '${given}' (manifest.json missing or not JSON). Pass --model-path the directory written by 'kdap train'.`);
  }
}

/** --test-data: a JSON file with records, or a request body as the Python module's test_data ({"data": [...]}). */
async function readTestData(file: string, given: string): Promise<TestEndpointOptions['testData']> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    throw new ParameterError('test-data', `--test-data '${given}' cannot be read. Give a JSON file with [records] or {"data": [records]}.`);
  }
  try {
    return JSON.parse(text) as TestEndpointOptions['testData'];
  } catch (error) {
    throw new ParameterError('test-data', `--test-data '${given}' is not JSON (${(error as Error).message}). Give [records] or {"data": [records]}.`);
  }
}
