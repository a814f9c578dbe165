/**
 * One source of configuration values, in precedence order (later layers win). `keyPrefix` is
 * where the values sit inside the source (e.g. `profiles.prod` in config.yaml), so a problem names
 * the key as the user wrote it.
 */
export interface ConfigLayer {
  /** A file path as the user knows it, "environment variable KDAP_ENV" or "overrides". */
  readonly source: string;
  readonly keyPrefix: readonly (string | number)[];
  /** The source is a single value (an environment variable): problems name the source alone. */
  readonly single?: boolean;
  readonly values: Record<string, unknown>;
}

/** Where each key path's final value came from; the key is the path joined with '\u0000'. */
export type Provenance = Map<string, ConfigLayer>;

export function pathKey(path: readonly PropertyKey[]): string {
  return path.map(String).join('\u0000');
}

export function isMapping(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Deep-merges the layers: mappings merge key by key, lists and scalars replace. Records which
 * layer set each key path so validation problems can name the file that holds the bad value.
 */
export function mergeLayers(layers: readonly ConfigLayer[]): { merged: Record<string, unknown>; provenance: Provenance } {
  const merged: Record<string, unknown> = {};
  const provenance: Provenance = new Map();
  for (const layer of layers) mergeInto(merged, layer.values, [], layer, provenance);
  return { merged, provenance };
}

function mergeInto(
  target: Record<string, unknown>,
  source: Record<string, unknown>,
  path: string[],
  layer: ConfigLayer,
  provenance: Provenance,
): void {
  for (const [key, value] of Object.entries(source)) {
    const here = [...path, key];
    provenance.set(pathKey(here), layer);
    const existing = target[key];
    if (isMapping(value) && isMapping(existing)) {
      mergeInto(existing, value, here, layer, provenance);
    } else {
      // A copy, so later layers merging into it never write into the caller's objects.
      target[key] = isMapping(value) ? structuredClone(value) : value;
      if (isMapping(value)) recordSubtree(value, here, layer, provenance);
    }
  }
}

function recordSubtree(value: unknown, path: PropertyKey[], layer: ConfigLayer, provenance: Provenance): void {
  if (isMapping(value)) {
    for (const [k, v] of Object.entries(value)) {
      provenance.set(pathKey([...path, k]), layer);
      recordSubtree(v, [...path, k], layer, provenance);
    }
  } else if (Array.isArray(value)) {
    value.forEach((v, i) => {
      provenance.set(pathKey([...path, i]), layer);
      recordSubtree(v, [...path, i], layer, provenance);
    });
  }
}

/** The layer that set the value at `path` (or its nearest ancestor). */
export function layerOf(provenance: Provenance, path: readonly PropertyKey[]): ConfigLayer | undefined {
  for (let n = path.length; n >= 1; n--) {
    const layer = provenance.get(pathKey(path.slice(0, n)));
    if (layer) return layer;
  }
  return undefined;
}
