import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { bundleKeyFromEnv } from '@kdap/core';
import { ConfigError } from '@kdap/errors';
import { startScoringServer, type ScoringServer } from '../scoring/serve';

/** The routes and port the scoring image answers on: what the Azure environment's inferenceConfig declares. */
export const CONTAINER_ROUTES = {
  port: 5001,
  liveness: '/',
  readiness: '/ready',
  scoring: '/score',
} as const;

/**
 * The model bundles under a mounted model directory. Azure mounts a registered model at
 * `AZUREML_MODEL_DIR` with the uploaded folder inside it (`<dir>/<folder>/manifest.json`); a
 * directory that is itself a bundle, or holds several, works too (searched two levels deep).
 */
export async function findBundles(modelDir: string): Promise<string[]> {
  const isBundle = async (dir: string) => (await stat(path.join(dir, 'manifest.json')).catch(() => undefined))?.isFile() === true;
  const walk = async (dir: string, depth: number): Promise<string[]> => {
    if (await isBundle(dir)) return [dir];
    if (depth === 0) return [];
    const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
    const found: string[] = [];
    for (const e of entries.sort((a, b) => a.name.localeCompare(b.name))) if (e.isDirectory()) found.push(...(await walk(path.join(dir, e.name), depth - 1)));
    return found;
  };
  return walk(modelDir, 2);
}

/**
 * The scoring server as the container runs it: bundles from `AZUREML_MODEL_DIR` (or
 * `KDAP_MODEL_DIR`), port `AML_APP_PORT`/`PORT` or 5001, all interfaces, the request key from
 * `KDAP_SCORING_KEY` when set (Azure's endpoint checks its own key before forwarding), signed
 * bundles required when `KDAP_BUNDLE_KEY` is set.
 */
export async function startContainerServer(env: NodeJS.ProcessEnv = process.env): Promise<ScoringServer> {
  const modelDir = env.AZUREML_MODEL_DIR || env.KDAP_MODEL_DIR;
  if (!modelDir) {
    throw new ConfigError([{ source: 'environment variable AZUREML_MODEL_DIR', keyPath: 'AZUREML_MODEL_DIR', message: 'AZUREML_MODEL_DIR is not set: mount the model bundle directory and set AZUREML_MODEL_DIR (Azure does so for a registered model) or KDAP_MODEL_DIR to its path.' }]);
  }
  const bundles = await findBundles(modelDir);
  if (bundles.length === 0) {
    throw new ConfigError([{ source: 'environment variable AZUREML_MODEL_DIR', keyPath: 'AZUREML_MODEL_DIR', message: `No model bundle (a directory with manifest.json) under '${modelDir}'. Mount the directory written by 'kdap train' or trainer.save() there.` }]);
  }
  const portText = env.AML_APP_PORT || env.PORT;
  const port = portText ? Number(portText) : CONTAINER_ROUTES.port;
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new ConfigError([{ source: `environment variable ${env.AML_APP_PORT ? 'AML_APP_PORT' : 'PORT'}`, keyPath: 'port', message: `The port must be an integer from 0 to 65535. Got '${portText}'.` }]);
  }
  const key = env.KDAP_SCORING_KEY || undefined;
  return startScoringServer({
    bundles,
    port,
    host: env.KDAP_HOST || '0.0.0.0',
    signingKey: bundleKeyFromEnv(env),
    ...(key !== undefined ? { key } : {}),
  });
}
