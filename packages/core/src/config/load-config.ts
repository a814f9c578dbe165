import { statSync } from 'node:fs';
import { join } from 'node:path';
import { closest, ConfigError, type ConfigProblem, ParameterError } from '@kdap/errors';
import { environmentLayers } from './environment';
import { formatProblems } from './format-problems';
import { isMapping, mergeLayers, type ConfigLayer } from './layer';
import { MODEL_CONFIGS, MODEL_KINDS, type ModelConfigOf, type ModelKind } from './model-kind';
import { readConfigFile } from './read-config-file';

/** Everything optional, all the way down: the shape of an overrides object. */
export type DeepPartial<T> = T extends readonly unknown[] ? T : T extends object ? { [K in keyof T]?: DeepPartial<T[K]> } : T;

export interface LoadConfigOptions<K extends ModelKind> {
  /**
   * Directory holding config.yaml and the model's YAML. Default: `$KDAP_CONFIG_DIR`, else none (the
   * packaged defaults only): a library never reads the host application's working directory
   * implicitly (its own ./config/config.yaml is not ours). The CLI's --config sets it.
   */
  configDir?: string;
  /** Environment variables to read (KDAP_ENV, MLFLOW_TRACKING_URI, AZURE_*). Default: `process.env`. */
  env?: Readonly<Record<string, string | undefined>>;
  /** Profile to apply ('dev' | 'prod'); beats `KDAP_ENV`. */
  profile?: string;
  /** Highest-precedence values, e.g. from CLI flags: `{ tuning: { n_trials: 10 } }`. */
  overrides?: DeepPartial<ModelConfigOf<K>>;
}

const GLOBAL_FILE = 'config.yaml';
/** The Python module's names for the models (its YAML file names), for did-you-mean hints. */
const FILE_NAMES: Record<string, ModelKind> = { budget_optimizer: 'budget', anomaly_detector: 'anomaly' };
const PROFILES = ['dev', 'prod'] as const;

/**
 * Loads and validates one model's configuration. Precedence, lowest first: built-in defaults <
 * config.yaml < its `profiles.<env>` < the model's YAML < its `profiles.<env>` < environment
 * variables < `overrides`. The profile is `options.profile`, else `KDAP_ENV`, else 'dev'.
 *
 * @throws ConfigError listing every problem, one line each, naming the file and key path.
 */
export function loadConfig<K extends ModelKind>(model: K, options: LoadConfigOptions<K> = {}): ModelConfigOf<K> {
  if (!(MODEL_KINDS as readonly string[]).includes(model)) {
    const hint = FILE_NAMES[String(model)] ?? closest(String(model), MODEL_KINDS);
    throw new ParameterError(
      'model',
      `The 'model' argument of loadConfig must be one of ${MODEL_KINDS.map((k) => `'${k}'`).join(', ')}. Got '${String(model)}'.${hint ? ` Did you mean '${hint}'?` : ''}`,
    );
  }
  const spec = MODEL_CONFIGS[model];
  const env = options.env ?? process.env;
  const problems: ConfigProblem[] = [];

  // An empty KDAP_ENV counts as unset, as for every other variable.
  const profile = options.profile ?? (env.KDAP_ENV || 'dev');
  if (options.profile !== undefined && !(PROFILES as readonly string[]).includes(options.profile)) {
    throw new ParameterError('profile', `The 'profile' option of loadConfig must be 'dev' or 'prod'. Got '${options.profile}'.`);
  }

  const layers: ConfigLayer[] = [{ source: 'built-in defaults', keyPrefix: [], values: structuredClone(spec.defaults) as Record<string, unknown> }];
  const configDir = resolveConfigDir(options.configDir, env, problems);
  if (configDir !== undefined) {
    for (const name of [GLOBAL_FILE, spec.file]) {
      const file = join(configDir, name);
      const read = readConfigFile(file);
      problems.push(...read.problems);
      if (read.values) layers.push(...fileLayers(file, read.values, profile, problems));
    }
  }
  layers.push(...environmentLayers(env));
  if (options.profile !== undefined) layers.push({ source: "loadConfig's 'profile' option", keyPrefix: [], single: true, values: { environment: options.profile } });
  if (options.overrides !== undefined) {
    if (!isMapping(options.overrides)) {
      throw new ParameterError('overrides', `The 'overrides' option of loadConfig must be a mapping of settings. Got ${typeof options.overrides}.`);
    }
    layers.push({ source: 'overrides', keyPrefix: [], values: options.overrides as Record<string, unknown> });
  }
  // A file that does not parse makes every later message unreliable: report those first and stop.
  if (problems.length > 0) throw new ConfigError(problems);

  return validateLayers(model, layers);
}

/**
 * Applies `overrides` to an already loaded configuration and validates the result: how a trainer
 * takes `new XTrainer({ config, overrides })`. Problems in the overrides name 'overrides'.
 */
export function applyOverrides<K extends ModelKind>(model: K, config: ModelConfigOf<K>, overrides: DeepPartial<ModelConfigOf<K>> | undefined, source = 'overrides'): ModelConfigOf<K> {
  const layers: ConfigLayer[] = [{ source: 'config', keyPrefix: [], values: structuredClone(config) as Record<string, unknown> }];
  if (overrides !== undefined) {
    if (!isMapping(overrides)) throw new ParameterError('overrides', `The '${source}' option must be a mapping of settings. Got ${typeof overrides}.`);
    layers.push({ source, keyPrefix: [], values: overrides as Record<string, unknown> });
  }
  return validateLayers(model, layers);
}

function validateLayers<K extends ModelKind>(model: K, layers: readonly ConfigLayer[]): ModelConfigOf<K> {
  const schema = MODEL_CONFIGS[model].schema;
  const { merged, provenance } = mergeLayers(layers);
  const result = schema.safeParse(merged);
  if (!result.success) throw new ConfigError(formatProblems(result.error.issues, merged, provenance, schema));
  return deepFreeze(result.data) as ModelConfigOf<K>;
}

function resolveConfigDir(option: string | undefined, env: Readonly<Record<string, string | undefined>>, problems: ConfigProblem[]): string | undefined {
  const explicit = option ?? (env.KDAP_CONFIG_DIR || undefined);
  if (explicit === undefined) return undefined;
  const dir = explicit;
  let isDir = false;
  try {
    isDir = statSync(dir).isDirectory();
  } catch {
    isDir = false;
  }
  if (isDir) return dir;
  {
    const origin = option !== undefined ? "loadConfig's 'configDir' option" : 'environment variable KDAP_CONFIG_DIR';
    problems.push({ source: origin, keyPath: '', message: `${origin} names '${dir}', which is not a directory. Point it at the folder holding config.yaml.` });
  }
  return undefined;
}

/** A file's own values, then its `profiles.<profile>` section; other profiles are checked for typos only. */
function fileLayers(file: string, values: Record<string, unknown>, profile: string, problems: ConfigProblem[]): ConfigLayer[] {
  const { profiles, ...base } = values;
  const layers: ConfigLayer[] = [{ source: file, keyPrefix: [], values: base }];
  if (profiles === undefined) return layers;
  if (!isMapping(profiles)) {
    problems.push({ source: file, keyPath: 'profiles', message: `${file}: profiles must be a mapping with keys 'dev' and/or 'prod', got ${Array.isArray(profiles) ? 'a list' : String(profiles)}` });
    return layers;
  }
  for (const [name, section] of Object.entries(profiles)) {
    if (!(PROFILES as readonly string[]).includes(name)) {
      const hint = closest(name, PROFILES);
      problems.push({
        source: file,
        keyPath: `profiles.${name}`,
        message: `${file}: profiles.${name} is not a known profile.${hint ? ` Did you mean '${hint}'?` : ''} Profiles are 'dev' and 'prod' (selected by KDAP_ENV).`,
      });
    } else if (!isMapping(section)) {
      problems.push({ source: file, keyPath: `profiles.${name}`, message: `${file}: profiles.${name} must be a mapping of settings, got ${String(section)}` });
    }
  }
  const selected = profiles[profile];
  if (isMapping(selected)) layers.push({ source: file, keyPrefix: ['profiles', profile], values: selected });
  return layers;
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object') {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}
