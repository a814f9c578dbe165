/**
 * The packages as another service gets them: a local Verdaccio on loopback, every workspace
 * package published to it by the release script (enumerated from the workspaces, so a new package
 * is covered), then a fresh application outside the repository installs @kdap/budget,
 * @kdap/propensity and @kdap/anomaly by name with the `@kdap` scope mapped in its .npmrc, imports
 * them from ESM, CommonJS and strict TypeScript (module nodenext), and trains, recommends, saves
 * and reloads a Budget Optimizer. Every native addon comes prebuilt from its platform package
 * (`@kdap/<addon>-linux-x64-gnu`, an optional dependency npm picks by os/cpu/libc; nothing is
 * compiled at install). Then, with the LightGBM platform package removed, it follows the load
 * error's source-build command and trains again. Uses the existing build outputs (`npm run build`).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { type LocalRegistry, startLocalRegistry } from './local-registry';
import { platformPackageName, platformPackageSuffix } from '../../native/napi-common/src/platform';
import { type CommandResult, missingBuildOutputs, nativeConfig, publishAll, runCommand } from '../release';
import { REPO_ROOT, publishedWorkspaces } from './workspaces';

const MODEL_PACKAGES = ['@kdap/budget', '@kdap/propensity', '@kdap/anomaly'];
/** The native addons the model packages pull in, each with its platform package. */
const ADDONS = ['@kdap/lightgbm-node', '@kdap/xgboost-node', '@kdap/neighbors-node', '@kdap/duckdb-vectors'];

/** Loads every addon in the application and prints the .node files Node loaded. */
const LOAD_ADDONS = `
for (const name of ${JSON.stringify(ADDONS)}) require(name).binding();
console.log(JSON.stringify(Object.keys(require.cache).filter((f) => f.endsWith('.node')).sort()));
`;
/** The whole round trip, source build included, on a loaded 2-core machine: measured ~2 min. */
const ROUND_TRIP_TIMEOUT_MS = 240_000;

/** The consumer's environment: the user's npm configuration, none of the repo's npm-run state. */
function consumerEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    const lower = key.toLowerCase();
    // `npm test` exports its own config (prefix, local paths, package fields) to children.
    if (lower.startsWith('npm_') && !['npm_config_userconfig', 'npm_config_globalconfig', 'npm_config_cache', 'npm_config_registry'].includes(lower)) continue;
    if (key === 'INIT_CWD') continue;
    env[key] = value;
  }
  return { ...env, ...extra };
}

function explain(what: string, r: CommandResult): string {
  return `${what} failed (exit ${r.code}).\nstdout:\n${r.stdout.slice(-4000)}\nstderr:\n${r.stderr.slice(-4000)}`;
}

const ESM_CHECK = `
import { BudgetOptimizer, BudgetOptimizerTrainer } from '@kdap/budget';
import { PropensityScorer, PropensityTrainer } from '@kdap/propensity';
import { AnomalyDetectorTrainer, IsolationForest } from '@kdap/anomaly';
console.log(JSON.stringify([BudgetOptimizer, BudgetOptimizerTrainer, PropensityScorer, PropensityTrainer, AnomalyDetectorTrainer, IsolationForest].map((f) => typeof f)));
`;

const CJS_CHECK = `
const { BudgetOptimizer, BudgetOptimizerTrainer } = require('@kdap/budget');
const { PropensityScorer, PropensityTrainer } = require('@kdap/propensity');
const { AnomalyDetectorTrainer, IsolationForest } = require('@kdap/anomaly');
console.log(JSON.stringify([BudgetOptimizer, BudgetOptimizerTrainer, PropensityScorer, PropensityTrainer, AnomalyDetectorTrainer, IsolationForest].map((f) => typeof f)));
`;

/** Strict TypeScript against the published .d.ts files: train -> recommend -> save -> load. */
const TS_MAIN = `
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { BudgetOptimizer, BudgetOptimizerTrainer, type Recommendation } from '@kdap/budget';
import { syntheticMarketingSpend } from '@kdap/preprocessing';

async function main(): Promise<void> {
  const generated = syntheticMarketingSpend({ rows: 3_000, seed: 7 });
  const train = generated.table.slice(0, 2_400);
  const validation = generated.table.slice(2_400);
  const trainer = new BudgetOptimizerTrainer({ params: { n_estimators: 60, learning_rate: 0.1 } });
  const result = await trainer.fit(train, { validation });
  const record = { channel_id: 'search', current_spend: 5_000, historical_roi_mean: 2.5 };
  const before: Recommendation = trainer.optimizer().recommend(record);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kdap-consumer-'));
  try {
    await trainer.save(path.join(dir, 'budget_optimizer'));
    const loaded = await BudgetOptimizer.load(path.join(dir, 'budget_optimizer'));
    const after = loaded.recommend(record);
    console.log(JSON.stringify({ metrics: Object.keys(result.metrics), before, after }));
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
`;

/** The same imports type-checked as ESM (.mts) under nodenext. */
const TS_ESM = `
import { BudgetOptimizerTrainer } from '@kdap/budget';
import { PropensityTrainer } from '@kdap/propensity';
import { IsolationForest } from '@kdap/anomaly';
export const kinds: string[] = [typeof BudgetOptimizerTrainer, typeof PropensityTrainer, typeof IsolationForest];
`;

describe('publishing to a registry and installing by name', () => {
  let registry: LocalRegistry | undefined;
  let app: string;
  let work: string;

  beforeAll(() => {
    const missing = publishedWorkspaces().flatMap((w) => missingBuildOutputs(w));
    if (missing.length > 0) {
      throw new Error(`The registry round trip publishes the built packages; build them first ('npm run build' or 'bash scripts/setup.sh'). Missing: ${missing.join(', ')}`);
    }
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'kdap-round-trip-'));
    app = path.join(work, 'app');
    fs.mkdirSync(app);
  });

  afterAll(async () => {
    await registry?.stop();
    if (work) fs.rmSync(work, { recursive: true, force: true });
  });

  it(
    'publishes every workspace package, installs the model packages by name and trains with them',
    async () => {
      const npmrcOf = (r: LocalRegistry) => `@kdap:registry=${r.url}\n`;
      const upstream = await runCommand('npm', ['config', 'get', 'registry'], { cwd: REPO_ROOT, env: consumerEnv() });
      expect(upstream.code).toBe(0);
      registry = await startLocalRegistry({ upstream: upstream.stdout.trim(), maxBodySize: '200mb' });

      // Publish with the release script, authenticated through a user config of its own.
      const userconfig = path.join(work, 'publisher.npmrc');
      fs.writeFileSync(userconfig, `${npmrcOf(registry)}//${registry.url.replace(/^https?:\/\//, '')}:_authToken=${registry.token}\n`);
      const published = await publishAll({ env: consumerEnv({ npm_config_userconfig: userconfig }), log: () => undefined }).catch((error: unknown) => {
        throw new Error(`${(error as Error).message}\nregistry output:\n${registry!.output().slice(-4000)}`);
      });
      // Each addon's platform package right before the addon, everything dependencies first.
      expect(published.map((id) => id.replace(/@[^@]+$/, ''))).toEqual(
        publishedWorkspaces().flatMap((w) => [...(nativeConfig(w) ? [platformPackageName(w.manifest.name)] : []), w.manifest.name]),
      );

      // A fresh application outside the repository: the scope mapped in its .npmrc, nothing else.
      fs.writeFileSync(path.join(app, 'package.json'), JSON.stringify({ name: 'kdap-consumer', version: '1.0.0', private: true }, null, 2));
      fs.writeFileSync(path.join(app, '.npmrc'), npmrcOf(registry));
      const install = await runCommand('npm', ['install', ...MODEL_PACKAGES, '@kdap/preprocessing', '--no-audit', '--no-fund', '--loglevel=error'], {
        cwd: app,
        env: consumerEnv(),
        timeoutMs: 180_000,
      });
      if (install.code !== 0) throw new Error(`${explain('npm install', install)}\nregistry output:\n${registry.output().slice(-4000)}`);
      for (const name of MODEL_PACKAGES) {
        const installed = JSON.parse(fs.readFileSync(path.join(app, 'node_modules', name, 'package.json'), 'utf8')) as { version: string };
        expect({ [name]: installed.version }).toEqual({ [name]: publishedWorkspaces().find((w) => w.manifest.name === name)!.manifest.version });
      }
      // Installed from the tarball, not linked to the repository.
      expect(fs.lstatSync(path.join(app, 'node_modules', '@kdap', 'budget')).isSymbolicLink()).toBe(false);

      // The binaries came with the platform packages; nothing was (or could have been) compiled at
      // install: no @kdap package has an install script or a binding.gyp (npm's implicit node-gyp).
      const kdapDir = path.join(app, 'node_modules', '@kdap');
      const installedNames = fs.readdirSync(kdapDir).map((d) => `@kdap/${d}`);
      expect(installedNames).toEqual(expect.arrayContaining(ADDONS.map((a) => platformPackageName(a))));
      for (const dir of fs.readdirSync(kdapDir)) {
        const m = JSON.parse(fs.readFileSync(path.join(kdapDir, dir, 'package.json'), 'utf8')) as { scripts?: Record<string, string> };
        const installScripts = Object.keys(m.scripts ?? {}).filter((k) => ['preinstall', 'install', 'postinstall'].includes(k));
        expect({ [dir]: [installScripts, fs.existsSync(path.join(kdapDir, dir, 'binding.gyp')), fs.existsSync(path.join(kdapDir, dir, 'build'))] }).toEqual({ [dir]: [[], false, false] });
      }
      fs.writeFileSync(path.join(app, 'load-addons.cjs'), LOAD_ADDONS);
      const loadedAddons = await runCommand(process.execPath, ['load-addons.cjs'], { cwd: app, env: consumerEnv() });
      if (loadedAddons.code !== 0) throw new Error(explain('loading the addons', loadedAddons));
      const addonFiles = JSON.parse(loadedAddons.stdout) as string[];
      expect(addonFiles.map((f) => path.relative(kdapDir, f)).sort()).toEqual(
        ['duckdb-vectors/duckdb_vectors.node', 'lightgbm-node/lightgbm_node.node', 'neighbors-node/neighbors_node.node', 'xgboost-node/xgboost_node.node']
          .map((f) => f.replace('/', `-${platformPackageSuffix()}/`))
          .sort(),
      );

      fs.writeFileSync(path.join(app, 'esm-check.mjs'), ESM_CHECK);
      fs.writeFileSync(path.join(app, 'cjs-check.cjs'), CJS_CHECK);
      const [esm, cjs] = await Promise.all([
        runCommand(process.execPath, ['esm-check.mjs'], { cwd: app, env: consumerEnv() }),
        runCommand(process.execPath, ['cjs-check.cjs'], { cwd: app, env: consumerEnv() }),
      ]);
      if (esm.code !== 0) throw new Error(explain('the ESM import', esm));
      if (cjs.code !== 0) throw new Error(explain('the CommonJS require', cjs));
      expect(JSON.parse(esm.stdout)).toEqual(Array(6).fill('function'));
      expect(JSON.parse(cjs.stdout)).toEqual(Array(6).fill('function'));

      // Strict TypeScript with module nodenext, as a service's own build would check it.
      fs.writeFileSync(path.join(app, 'main.ts'), TS_MAIN);
      fs.writeFileSync(path.join(app, 'esm-types.mts'), TS_ESM);
      fs.writeFileSync(
        path.join(app, 'tsconfig.json'),
        JSON.stringify({
          compilerOptions: {
            strict: true,
            module: 'nodenext',
            moduleResolution: 'nodenext',
            target: 'es2022',
            lib: ['es2022', 'esnext.disposable'],
            outDir: 'out',
            types: ['node'],
            // The repository's @types/node: the application itself needs nothing else from npm.
            typeRoots: [path.join(REPO_ROOT, 'node_modules', '@types')],
            skipLibCheck: true,
          },
          files: ['main.ts', 'esm-types.mts'],
        }),
      );
      const tsc = await runCommand(process.execPath, [path.join(REPO_ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.json'], {
        cwd: app,
        env: consumerEnv(),
      });
      if (tsc.code !== 0) throw new Error(explain('tsc --strict (module nodenext)', tsc));

      const run = await runCommand(process.execPath, ['out/main.js'], { cwd: app, env: consumerEnv(), timeoutMs: 120_000 });
      if (run.code !== 0) throw new Error(explain('train -> recommend -> save -> load', run));
      const outcome = JSON.parse(run.stdout.trim().split('\n').at(-1)!) as { metrics: string[]; before: Record<string, unknown>; after: Record<string, unknown> };
      expect(outcome.metrics.length).toBeGreaterThan(0);
      expect(outcome.before.channel_id).toBe('search');
      expect(Number.isFinite(outcome.before.optimal_spend)).toBe(true);
      expect(outcome.after).toEqual(outcome.before);

      // Without the platform package, the load error names the platform, both places it looked in
      // and a build command that works inside this application's node_modules.
      const packageDir = path.join(kdapDir, 'lightgbm-node');
      const platformDir = path.join(kdapDir, `lightgbm-node-${platformPackageSuffix()}`);
      const addonFile = path.join(packageDir, 'build', 'Release', 'lightgbm_node.node');
      fs.rmSync(platformDir, { recursive: true });
      fs.writeFileSync(
        path.join(app, 'addon-missing.cjs'),
        "try { require('@kdap/lightgbm-node').binding(); console.log('loaded'); } catch (e) { console.log(JSON.stringify({ name: e.name, code: e.code, message: e.message })); }",
      );
      const missing = await runCommand(process.execPath, ['addon-missing.cjs'], { cwd: app, env: consumerEnv() });
      const failure = JSON.parse(missing.stdout) as { name: string; code: string; message: string };
      expect(failure).toMatchObject({ name: 'AddonLoadError', code: 'ERR_KDAP_ADDON_LOAD' });
      expect(failure.message).toContain('The LightGBM addon is not available on linux-x64-glibc.');
      expect(failure.message).toContain(`the platform package @kdap/lightgbm-node-${platformPackageSuffix()} (not installed: it is an optional dependency`);
      expect(failure.message).toContain(`a source build at ${addonFile} (not built)`);
      expect(failure.message).toContain(`'cd ${packageDir} && npm run build'`);
      expect(failure.message).not.toMatch(/--workspace|scripts\/setup\.sh/);

      // That command, run as the message gives it, builds the addon from source inside
      // node_modules (LightGBM itself from the native-library cache the setup filled), and the
      // same application trains again with identical recommendations.
      const command = /Build it from source with '([^']+)'/.exec(failure.message)![1]!;
      const build = await runCommand('bash', ['-c', command], { cwd: app, env: consumerEnv(), timeoutMs: 150_000 });
      if (build.code !== 0) throw new Error(explain(`the source build '${command}'`, build));
      expect(fs.existsSync(addonFile)).toBe(true);
      const reloaded = await runCommand(process.execPath, ['load-addons.cjs'], { cwd: app, env: consumerEnv() });
      if (reloaded.code !== 0) throw new Error(explain('loading the addons after the source build', reloaded));
      expect(JSON.parse(reloaded.stdout)).toContain(addonFile);
      const rerun = await runCommand(process.execPath, ['out/main.js'], { cwd: app, env: consumerEnv(), timeoutMs: 120_000 });
      if (rerun.code !== 0) throw new Error(explain('train -> recommend -> save -> load with the source-built addon', rerun));
      const again = JSON.parse(rerun.stdout.trim().split('\n').at(-1)!) as typeof outcome;
      expect(again.after).toEqual(again.before);
      expect(again.before).toEqual(outcome.before);
    },
    ROUND_TRIP_TIMEOUT_MS,
  );
});
