import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { BundleContents, FileContent } from '../bundle/bundle-contents';
import { canonicalManifest, manifestHmac, manifestSha256 } from '../bundle/manifest-integrity';

/** A small, complete bundle whose model file text and metric identify which save wrote it. */
export function sampleBundle(label: string, rmse: number, model: FileContent = `tree for ${label}\n`): BundleContents {
  return {
    kind: 'budget',
    featureSchema: {
      features: [
        { name: 'current_spend', kind: 'numeric', required: true },
        { name: 'channel_id', kind: 'categorical', required: false, categories: ['search', 'social'] },
      ],
      policy: { mistyped: 'error', unknownCategory: 'missing' },
    },
    target: 'return',
    params: { num_leaves: 31, learning_rate: 0.05 },
    metrics: { rmse, r2: Number.NaN },
    config: { label },
    modelFiles: { 'model.txt': model },
    state: { 'calibration.json': { label, knots: [0, 0.5, 1] } },
    versions: { lightgbm: '4.7.0' },
    mlflow: { name: 'lightgbm', data: 'model.txt', loaderModule: 'mlflow.lightgbm', options: { lgb_version: '4.7.0', model_class: 'lightgbm.basic.Booster' } },
  };
}

/**
 * Edits a saved bundle's manifest the way a deliberate editor who knows the format would: the
 * checksum is recomputed (and the manifest signed when `signingKey` is given). Tests use it to
 * show what the keyless checksum cannot stop and what the signature does.
 */
export function resealManifest(dir: string, edit: (manifest: Record<string, any>) => void, signingKey?: string): void {
  const path = join(dir, 'manifest.json');
  const manifest = JSON.parse(readFileSync(path, 'utf8')) as Record<string, any>;
  edit(manifest);
  const canonical = canonicalManifest(manifest);
  manifest.integrity = {
    canonical: 'json-sorted-keys',
    sha256: manifestSha256(canonical),
    hmac_sha256: signingKey === undefined ? null : manifestHmac(canonical, Buffer.from(signingKey, 'utf8')),
  };
  writeFileSync(path, `${JSON.stringify(manifest, null, 2)}\n`);
}
