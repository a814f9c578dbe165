import { closest, type ConfigProblem } from '@kdap/errors';
import type { z } from 'zod';
import { isMapping, layerOf, type ConfigLayer, type Provenance } from './layer';

/** "hyperparameters.xgboost.max_depth", "segments[1].min_score". */
export function formatKeyPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else out += out === '' ? String(part) : `.${String(part)}`;
  }
  return out;
}

/** A value as a config file user would recognise it. */
export function describeValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (typeof value === 'string') return `'${value.length > 60 ? `${value.slice(0, 60)}...` : value}'`;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (Array.isArray(value)) return `a list of ${value.length}`;
  if (isMapping(value)) return 'a mapping';
  return typeof value;
}

function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let node: unknown = root;
  for (const part of path) {
    if (node === null || typeof node !== 'object') return undefined;
    node = (node as Record<PropertyKey, unknown>)[part as string];
  }
  return node;
}

/** Where the problem is: the source and the key path inside it. */
function locate(layer: ConfigLayer | undefined, path: readonly PropertyKey[]): { source: string; keyPath: string; lead: string } {
  if (!layer) return { source: 'configuration', keyPath: formatKeyPath(path), lead: `configuration: ${formatKeyPath(path)}` };
  const keyPath = formatKeyPath([...layer.keyPrefix, ...path]);
  return { source: layer.source, keyPath, lead: layer.single ? layer.source : `${layer.source}: ${keyPath}` };
}

/** The keys a mapping schema accepts at `path`, for did-you-mean hints. */
function knownKeys(schema: z.ZodType, path: readonly PropertyKey[]): string[] {
  let nodes: unknown[] = [schema];
  for (const part of [...path, undefined]) {
    const next: unknown[] = [];
    for (const node of nodes) next.push(...unwrap(node));
    if (part === undefined) {
      return [...new Set(next.flatMap((n) => (defOf(n)?.type === 'object' ? Object.keys(defOf(n)!.shape as object) : [])))];
    }
    nodes = next.flatMap((n) => child(n, part));
  }
  return [];
}

type Def = { type: string; [k: string]: unknown };
function defOf(node: unknown): Def | undefined {
  return (node as { _zod?: { def?: Def } })._zod?.def;
}

/** Looks through wrappers (optional, nullable, pipes) and unions to the schemas that hold keys. */
function unwrap(node: unknown): unknown[] {
  const def = defOf(node);
  if (!def) return [];
  switch (def.type) {
    case 'optional':
    case 'nullable':
    case 'default':
      return unwrap(def.innerType);
    case 'pipe':
      return unwrap(def.in);
    case 'union':
      return (def.options as unknown[]).flatMap(unwrap);
    default:
      return [node];
  }
}

function child(node: unknown, part: PropertyKey): unknown[] {
  const def = defOf(node);
  if (!def) return [];
  if (def.type === 'object') {
    const s = (def.shape as Record<string, unknown>)[part as string];
    return s ? [s] : [];
  }
  if (def.type === 'array') return [def.element];
  if (def.type === 'tuple') return [(def.items as unknown[])[part as number]].filter(Boolean);
  if (def.type === 'record') return [def.valueType];
  return [];
}

/**
 * Turns zod issues on the merged configuration into one sentence per problem, naming the source
 * that holds the value: "config/propensity.yaml: hyperparameters.xgboost.max_depth must be an
 * integer >= 1, got 'six'".
 */
export function formatProblems(
  issues: readonly z.core.$ZodIssue[],
  merged: unknown,
  provenance: Provenance,
  schema: z.ZodType,
): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  for (const issue of issues) {
    if (issue.code === 'unrecognized_keys') {
      const known = knownKeys(schema, issue.path);
      for (const key of issue.keys) {
        const { source, keyPath, lead } = locate(layerOf(provenance, [...issue.path, key]), [...issue.path, key]);
        const hint = closest(key, known);
        const suffix = hint ? ` Did you mean '${hint}'?` : known.length > 0 ? ` Known keys here: ${known.join(', ')}.` : '';
        problems.push({ source, keyPath, message: `${lead} is not a known key.${suffix}` });
      }
      continue;
    }
    const { source, keyPath, lead } = locate(layerOf(provenance, issue.path), issue.path);
    problems.push({ source, keyPath, message: `${lead} must be ${issue.message}, got ${describeValue(valueAt(merged, issue.path))}` });
  }
  return problems;
}
