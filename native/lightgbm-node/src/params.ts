import { closest, describe, ParameterError } from '@kdap/errors';
import { binding } from './binding';

/** A LightGBM parameter value as the C API's "key=value" string accepts it. */
export type ParamValue = number | string | boolean | readonly (number | string)[];
/** LightGBM parameters by name or alias (e.g. `{ objective: 'regression', num_leaves: 31 }`). */
export type Params = Record<string, ParamValue | undefined>;

let aliases: { canonical: Map<string, string> } | undefined;

/** Every parameter name and alias LightGBM knows, mapped to its canonical name. */
export function parameterAliases(): ReadonlyMap<string, string> {
  if (!aliases) {
    const dump = JSON.parse(binding().dumpParamAliases()) as Record<string, string[]>;
    const canonical = new Map<string, string>();
    for (const [name, list] of Object.entries(dump)) {
      canonical.set(name, name);
      for (const alias of list) canonical.set(alias, name);
    }
    aliases = { canonical };
  }
  return aliases.canonical;
}

/** The canonical LightGBM name of a parameter or alias, or undefined when LightGBM has none. */
export function canonicalParam(name: string): string | undefined {
  return parameterAliases().get(name);
}

function formatValue(owner: string, key: string, value: ParamValue): string {
  const one = (v: unknown): string => {
    if (typeof v === 'number') {
      if (!Number.isFinite(v)) throw new ParameterError(key, `The '${key}' parameter of ${owner} must be a finite number. Got ${describe(v)}.`);
      return String(v);
    }
    if (typeof v === 'boolean') return v ? 'true' : 'false';
    if (typeof v === 'string') {
      if (/[\s=]/.test(v) || v.length === 0) {
        throw new ParameterError(key, `The '${key}' parameter of ${owner} must be a non-empty string without spaces or '='. Got ${describe(v)}.`);
      }
      return v;
    }
    throw new ParameterError(key, `The '${key}' parameter of ${owner} must be a number, string, boolean or array of those. Got ${describe(v)}.`);
  };
  if (Array.isArray(value)) return value.map(one).join(',');
  return one(value);
}

/**
 * Validates parameter names against LightGBM's own list (with a did-you-mean for typos), rejects
 * the same parameter given twice under different aliases, and renders the C API's parameter string.
 */
export function paramsToString(owner: string, params: Params): string {
  const known = parameterAliases();
  const seen = new Map<string, string>();
  const parts: string[] = [];
  for (const [key, value] of Object.entries(params)) {
    if (value === undefined) continue;
    const canonical = known.get(key);
    if (canonical === undefined) {
      const hint = closest(key, known.keys());
      throw new ParameterError(key, `Unknown LightGBM parameter '${key}' given to ${owner}.${hint ? ` Did you mean '${hint}'?` : ''} See https://lightgbm.readthedocs.io/en/latest/Parameters.html for the list.`);
    }
    const earlier = seen.get(canonical);
    if (earlier !== undefined) {
      throw new ParameterError(key, `The LightGBM parameter '${canonical}' is given twice to ${owner}, as '${earlier}' and as '${key}'. Keep one.`);
    }
    seen.set(canonical, key);
    parts.push(`${key}=${formatValue(owner, key, value)}`);
  }
  return parts.join(' ');
}

/** The value of a parameter given under any of its aliases. */
export function getParam(params: Params, canonical: string): ParamValue | undefined {
  for (const [key, value] of Object.entries(params)) {
    if (value !== undefined && canonicalParam(key) === canonical) return value;
  }
  return undefined;
}
