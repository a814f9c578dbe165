import type { FastifyInstance } from 'fastify';
import type { BundleKey } from '@kdap/core';
import { loadModel } from './loaded-model';
import { createScoringApp } from './scoring-app';

export interface ScoringServerOptions {
  /** Bundle directories; each is served as `/score/<directory name>`. */
  bundles: readonly string[];
  /** Default 5001, as Azure's inference server. */
  port?: number;
  /** Default 127.0.0.1; 0.0.0.0 inside a container. */
  host?: string;
  key?: string;
  /**
   * Serves only bundles signed with this key; default: `KDAP_BUNDLE_KEY` when set. Not the
   * request key (`key`): this one proves who wrote the models.
   */
  signingKey?: BundleKey;
  bodyLimit?: number;
  logger?: boolean;
}

export interface ScoringServer {
  app: FastifyInstance;
  /** The bound address, e.g. http://127.0.0.1:5001. */
  url: string;
  /** Resolves once every model is loaded (what GET /ready reports); rejects with the load error. */
  ready: Promise<void>;
  /** Stops accepting, finishes in-flight requests, disposes the models. */
  close(): Promise<void>;
}

/** Loads the bundles and listens; liveness answers while models load, readiness once they have. */
export async function startScoringServer(options: ScoringServerOptions): Promise<ScoringServer> {
  const models = options.bundles.map((dir) => loadModel(dir, undefined, { signingKey: options.signingKey }));
  const ready = Promise.all(models).then(() => undefined);
  ready.catch(() => undefined); // reported by /ready and the log; awaiting `ready` is optional
  const app = await createScoringApp({
    models,
    ...(options.key !== undefined ? { key: options.key } : {}),
    ...(options.bodyLimit !== undefined ? { bodyLimit: options.bodyLimit } : {}),
    ...(options.logger === false ? { logger: false } : {}),
  });
  const url = await app.listen({ port: options.port ?? 5001, host: options.host ?? '127.0.0.1' });
  return { app, url, ready, close: () => app.close() };
}
