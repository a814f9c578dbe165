import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { startScoringServer } from '@kdap/deploy';
import { bundleKeyFromEnv } from '@kdap/core';
import { ParameterError } from '@kdap/errors';
import type { CommandContext } from '../context';

export interface ServeFlags {
  model: string[];
  port: number;
  host: string;
  keyFile?: string;
  bodyLimit: number;
}

/**
 * `kdap serve`: the scoring server on the given bundles until Ctrl-C or SIGTERM, then a graceful
 * stop (in-flight requests finish, models are disposed). The key comes from KDAP_SCORING_KEY or
 * --key-file, never from the command line (other users can read a process's arguments).
 */
export async function serveCommand(flags: ServeFlags, ctx: CommandContext, env: NodeJS.ProcessEnv): Promise<{ url: string }> {
  let key = env.KDAP_SCORING_KEY || undefined;
  if (flags.keyFile !== undefined) key = (await readFile(path.resolve(ctx.cwd, flags.keyFile), 'utf8')).trim();
  if (key !== undefined && key.length < 16) {
    throw new ParameterError('key', `The scoring key must be at least 16 characters (from ${flags.keyFile ? '--key-file' : 'KDAP_SCORING_KEY'}). Got ${key.length}.`);
  }
  const server = await startScoringServer({
    bundles: flags.model.map((m) => path.resolve(ctx.cwd, m)),
    port: flags.port,
    host: flags.host,
    bodyLimit: flags.bodyLimit,
    logger: ctx.out.verbosity !== 'quiet',
    signingKey: bundleKeyFromEnv(env),
    ...(key !== undefined ? { key } : {}),
  });
  ctx.out.info(`scoring server on ${server.url} (models: ${flags.model.map((m) => path.basename(path.resolve(ctx.cwd, m))).join(', ')}; ${key ? 'key auth on' : 'no key: anyone who can reach it may score'})`);
  await new Promise<void>((resolve) => {
    if (ctx.signal.aborted) resolve();
    ctx.signal.addEventListener('abort', () => resolve(), { once: true });
  });
  ctx.out.info('stopping: finishing in-flight requests');
  await server.close();
  return { url: server.url };
}
