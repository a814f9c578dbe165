import { z } from 'zod';
import { MODEL_KINDS } from '../config/model-kind';
import { featureSchemaJSON } from '../schema/feature-schema';

/** Marks a directory as ours; anything else is a foreign bundle. */
export const BUNDLE_FORMAT = 'kdap-model-bundle';
/** Bumped when a reader of the previous version could misread a new bundle. */
export const BUNDLE_FORMAT_VERSION = 1;
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
  files: z.record(z.string(), fileEntry),
});

export type BundleManifest = z.infer<typeof manifestSchema>;
export type BundleFileEntry = z.infer<typeof fileEntry>;
