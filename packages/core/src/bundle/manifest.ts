import { z } from 'zod';
import { MODEL_KINDS } from '../config/model-kind';
import { featureSchemaJSON } from '../schema/feature-schema';

/** Marks a directory as ours; anything else is a foreign bundle. */
export const BUNDLE_FORMAT = 'kdap-model-bundle';
/**
 * Bumped when a reader of the previous version could misread a new bundle. Version 2 added
 * `integrity` (the manifest's checksum and optional signature); version 1 bundles are refused.
 */
export const BUNDLE_FORMAT_VERSION = 2;
export const MANIFEST_FILE = 'manifest.json';
export const MLMODEL_FILE = 'MLmodel';
/** JSON state files live here, apart from native model files. */
export const STATE_DIR = 'state';

const fileEntry = z.strictObject({
  /** Hex SHA-256 of the file's bytes. */
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  bytes: z.number().int().min(0),
  role: z.enum(['model', 'state', 'mlflow']),
});

const hexDigest = z.string().regex(/^[0-9a-f]{64}$/);

/**
 * Covers the rest of the manifest (which lists every other file's SHA-256, so the whole bundle).
 * `sha256` catches accidental edits only: anyone who edits the manifest on purpose can recompute
 * it. `hmac_sha256` (present when saved with a key) is what stops a tampered bundle.
 */
const integrity = z.strictObject({
  /** How the covered part is serialized before hashing (see `canonicalJson`). */
  canonical: z.literal('json-sorted-keys'),
  /** Hex SHA-256 of the canonical manifest without `integrity`. */
  sha256: hexDigest,
  /** Hex HMAC-SHA256 of the same bytes under the bundle key, or null when saved without one. */
  hmac_sha256: hexDigest.nullable(),
});

/** `manifest.json`. Metrics that are NaN (undefined for the data) are stored as null. */
export const manifestSchema = z.strictObject({
  format: z.literal(BUNDLE_FORMAT),
  format_version: z.number().int().min(1),
  kind: z.enum(MODEL_KINDS),
  created_at: z.iso.datetime(),
  versions: z.record(z.string(), z.string()),
  feature_schema: featureSchemaJSON,
  target: z.string().nullable(),
  params: z.record(z.string(), z.unknown()),
  metrics: z.record(z.string(), z.number().nullable()),
  config: z.unknown(),
  /** The trainer's `columns` option: role -> the user's column name(s); absent before it existed. */
  columns: z.record(z.string(), z.union([z.string().min(1), z.array(z.string().min(1))])).optional(),
  files: z.record(z.string(), fileEntry),
  integrity,
});

export type BundleManifest = z.infer<typeof manifestSchema>;
export type BundleFileEntry = z.infer<typeof fileEntry>;
export type BundleIntegrity = z.infer<typeof integrity>;
