import { randomUUID } from 'node:crypto';
import Fastify, { LogController, type FastifyInstance, type FastifyReply, type FastifyRequest, type FastifyServerOptions } from 'fastify';
import pino from 'pino';
import { dispositionOf, isKdapError, ModelNotFoundError, NotReadyError, ParameterError, PayloadTooLargeError, UnauthorizedError, type KdapError } from '@kdap/errors';
import { keyMatches } from './key-auth';
import type { LoadedModel } from './loaded-model';
import { openApiDocument } from './openapi';
import { requestRecords } from './request-records';

export interface ScoringAppOptions {
  /** Loaded models, or promises of them (the server is live at once and ready when they resolve). */
  models: readonly (LoadedModel | Promise<LoadedModel>)[];
  /** When set, every /score request needs `Authorization: Bearer <key>`. Never logged. */
  key?: string;
  /** Largest request body in bytes (default 1 MiB); larger bodies get 413. */
  bodyLimit?: number;
  /**
   * Fastify's logger option (default: one JSON line per request on stdout, with its request id,
   * status and time, written asynchronously; `false` for none).
   */
  logger?: FastifyServerOptions['logger'];
}

/** One log line per request, when it completes (Fastify's default is two: "incoming request" and "request completed"). */
class OneLinePerRequest extends LogController {
  override incomingRequest(): void {}

  override requestCompleted(error: Error | null | undefined, request: FastifyRequest, reply: FastifyReply): void {
    const fields = { method: request.method, url: request.url, statusCode: reply.statusCode, responseTime: reply.elapsedTime };
    if (error) reply.log.error({ ...fields, err: error }, 'request errored');
    else request.log.info(fields, 'request completed');
  }
}

/** The error body every failure gets: the kernel's code and message, and the field when one is at fault. */
function errorBody(error: unknown): { status: number; body: { error: Record<string, unknown> } } {
  const { httpStatus, code } = dispositionOf(error);
  if (!isKdapError(error)) return { status: 500, body: { error: { code, message: 'Internal error: the server logged the details.' } } };
  const e = error as KdapError & { parameter?: string; column?: string };
  const field = e.parameter ?? e.column;
  return { status: httpStatus, body: { error: { code: e.code, message: e.message, ...(field ? { field } : {}) } } };
}

/**
 * The scoring server as a Fastify instance, for `kdap serve` or an application's own server:
 * `GET /` liveness ("Healthy"), `GET /ready` readiness, `POST /score` (one model) and
 * `POST /score/<name>`, `GET /swagger.json`. Errors map to HTTP statuses through the error
 * kernel's table and never carry a stack trace. Closing the app disposes the models.
 */
export async function createScoringApp(options: ScoringAppOptions): Promise<FastifyInstance> {
  // The default log goes to stdout without blocking: pino's synchronous default cost one write(2)
  // per line, a fifth of a propensity request's CPU time under load (serve-load benchmark
  // profile); asynchronously, lines written while a write is in flight go out together.
  const logStream = options.logger === undefined ? pino.destination({ dest: 1, sync: false }) : undefined;
  const app = Fastify({
    bodyLimit: options.bodyLimit ?? 1024 * 1024,
    logger: options.logger ?? { level: 'info', redact: ['req.headers.authorization'], stream: logStream },
    logController: new OneLinePerRequest(),
    genReqId: (req) => {
      const given = req.headers['x-request-id'] ?? req.headers['x-ms-client-request-id'];
      return typeof given === 'string' && /^[\w.:-]{1,100}$/.test(given) ? given : randomUUID();
    },
    requestIdHeader: false,
  });
  const models = new Map<string, LoadedModel>();
  let loadError: unknown;
  let ready = false;
  const loading = Promise.all(options.models.map((m) => Promise.resolve(m))).then(
    (loaded) => {
      for (const m of loaded) {
        models.set(m.name, m);
        // A signed bundle loaded without the key had only its checksums checked: say so once.
        if (m.signature === 'unverified') app.log.warn({ model: m.name, signature: m.signature }, 'model bundle is signed but no KDAP_BUNDLE_KEY was given: its signature was not checked');
        else app.log.info({ model: m.name, signature: m.signature }, 'model loaded');
      }
      ready = true;
    },
    (error: unknown) => {
      loadError = error;
      app.log.error({ err: error }, 'model loading failed');
    },
  );

  app.addHook('onClose', async () => {
    await loading;
    for (const m of models.values()) m.dispose();
    logStream?.flushSync();
  });
  app.addHook('onSend', async (request, reply) => {
    reply.header('x-request-id', request.id);
  });

  app.setErrorHandler((error, request, reply) => {
    // Fastify's own errors (body too large, bad JSON) get the kernel's codes too.
    const fastifyCode = (error as { code?: string }).code;
    const limit = options.bodyLimit ?? 1024 * 1024;
    let mapped: unknown = error;
    if (fastifyCode === 'FST_ERR_CTP_BODY_TOO_LARGE') mapped = new PayloadTooLargeError(limit, `The request body is over the server's limit of ${limit} bytes. Send fewer records per request.`);
    else if (fastifyCode === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') mapped = new ParameterError('content-type', 'Send the records as JSON (Content-Type: application/json).');
    else if ((error as { statusCode?: number }).statusCode === 400 && !isKdapError(error)) mapped = new ParameterError('body', `The request body is not valid JSON: ${(error as Error).message}.`);
    const { status, body } = errorBody(mapped);
    if (status >= 500) request.log.error({ err: error }, 'request failed');
    else request.log.info({ code: body.error.code }, 'request refused');
    void reply.status(status).send(body);
  });

  app.get('/', async (_req, reply) => reply.type('text/plain').send('Healthy'));
  app.get('/ready', async (_req, reply) => {
    if (ready && [...models.values()].every((m) => !m.disposed)) return reply.send({ status: 'ready', models: [...models.keys()] });
    const why = loadError !== undefined ? `model loading failed: ${(loadError as Error).message}` : ready ? 'a model has been disposed' : 'models are still loading';
    return reply.status(503).send({ status: 'not ready', reason: why });
  });
  app.get('/swagger.json', async () => openApiDocument([...models.values()], { keyAuth: options.key !== undefined }));

  const score = async (name: string | undefined, body: unknown, authorization: string | undefined) => {
    if (options.key !== undefined && !keyMatches(authorization, options.key)) {
      throw new UnauthorizedError('Missing or wrong key: send "Authorization: Bearer <key>" with the endpoint\'s key.');
    }
    if (!ready) throw new NotReadyError(loadError !== undefined ? `The server could not load its models: ${(loadError as Error).message}` : 'The models are still loading; retry shortly (GET /ready says when).');
    let model: LoadedModel | undefined;
    if (name === undefined) {
      if (models.size !== 1) throw new ModelNotFoundError('', `This server holds ${models.size} models (${[...models.keys()].join(', ')}): POST to /score/<name>.`);
      model = models.values().next().value;
    } else {
      model = models.get(name);
      if (model === undefined) throw new ModelNotFoundError(name, `No model named '${name}' here. Models: ${[...models.keys()].join(', ')}.`);
    }
    if (model!.disposed) throw new NotReadyError(`Model '${model!.name}' has been unloaded; it cannot score.`);
    const records = requestRecords(body);
    model!.check(records);
    return model!.score(records);
  };
  app.post('/score', async (req) => score(undefined, req.body, req.headers.authorization));
  app.post<{ Params: { model: string } }>('/score/:model', async (req) => score(req.params.model, req.body, req.headers.authorization));

  await app.ready();
  return app;
}
