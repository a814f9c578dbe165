import { spawnSync } from 'node:child_process';
import { userInfo } from 'node:os';
import { basename } from 'node:path';
import { MLFLOW_PACKAGE_VERSION } from './version';

/** Tag keys MLflow allows: alphanumerics, underscores, periods, dashes, spaces and slashes. */
export function tagKey(name: string): string {
  return name.replace(/^@/, '').replace(/[^A-Za-z0-9_.\- /]/g, '-');
}

/** 'kdap.version.kdap-core' for '@kdap/core', 'kdap.version.lightgbm' for 'lightgbm'. */
export function versionTagKey(library: string): string {
  return `kdap.version.${library.replace(/^@/, '').replace(/[^A-Za-z0-9_.-]/g, '-')}`;
}

/**
 * The tags every KDAP run carries besides the trainer's own: MLflow's system tags (user, source,
 * git commit when the working directory is a git checkout) and ours (this package's version, the
 * library versions recorded in the bundle, KDAP_ENV).
 *
 * @param versions library name -> version, e.g. { lightgbm: '4.7.0', '@kdap/core': '0.1.0' }.
 */
export function systemTags(versions: Readonly<Record<string, string>>, env: Readonly<Record<string, string | undefined>> = process.env): Record<string, string> {
  const tags: Record<string, string> = {
    'mlflow.source.type': 'LOCAL',
    'mlflow.source.name': process.argv[1] ? basename(process.argv[1]) : 'node',
    'kdap.version.kdap-mlflow': MLFLOW_PACKAGE_VERSION,
    'kdap.version.node': process.versions.node,
  };
  const user = currentUser();
  if (user !== undefined) tags['mlflow.user'] = user;
  for (const [library, version] of Object.entries(versions)) tags[versionTagKey(library)] = version;
  if (env.KDAP_ENV) tags['kdap.KDAP_ENV'] = env.KDAP_ENV;
  const commit = gitCommit();
  if (commit !== undefined) tags['mlflow.source.git.commit'] = commit;
  return tags;
}

function currentUser(): string | undefined {
  try {
    return userInfo().username;
  } catch {
    return undefined; // no passwd entry (some containers): MLflow shows the run without a user
  }
}

/** HEAD of the git checkout around the working directory, when there is one and git is installed. */
export function gitCommit(cwd: string = process.cwd()): string | undefined {
  const run = spawnSync('git', ['rev-parse', 'HEAD'], { cwd, encoding: 'utf8', timeout: 5000 });
  const out = run.status === 0 ? run.stdout.trim() : '';
  return /^[0-9a-f]{40}$/.test(out) ? out : undefined;
}
