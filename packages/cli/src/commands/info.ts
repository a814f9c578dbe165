import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { bundleKeyFromEnv, loadBundle, type BundleSignatureStatus, type ModelKind } from '@kdap/core';
import { isKdapError } from '@kdap/errors';
import type { CommandContext } from '../context';
import { bundleKind } from './score';

export interface BundleInfo {
  bundle: string;
  kind: string;
  created_at: string;
  versions: Record<string, string>;
  target: string | null;
  /** The trainer's column mapping (role -> your column); scoring data may use these names. */
  columns: Record<string, string | string[]>;
  features: { name: string; kind?: string }[];
  metrics: Record<string, number | null>;
  params: Record<string, unknown>;
  files: Record<string, { bytes: number; role: string }>;
  /** 'verified' when every checksum (and signature, when one is required) matched; else why not. */
  integrity: string;
  /**
   * 'verified' (signed with KDAP_BUNDLE_KEY), 'unverified' (signed, but KDAP_BUNDLE_KEY is not
   * set), 'unsigned', or null when the bundle was refused.
   */
  signature: BundleSignatureStatus | null;
}

/** `kdap info DIR`: what a bundle holds, and whether it verifies. */
export async function infoCommand(dir: string, ctx: CommandContext): Promise<BundleInfo> {
  const bundle = path.resolve(ctx.cwd, dir);
  const kind = (await bundleKind(bundle, dir)) as ModelKind;
  let integrity = 'verified';
  let loaded: Awaited<ReturnType<typeof loadBundle>> | undefined;
  try {
    loaded = await loadBundle(bundle, { kind, signingKey: bundleKeyFromEnv(ctx.env) });
  } catch (error) {
    if (!isKdapError(error, 'ERR_KDAP_BUNDLE')) throw error;
    integrity = `REFUSED: ${error.message}`;
  }
  const raw = loaded?.manifest ?? (JSON.parse(await readFile(path.join(bundle, 'manifest.json'), 'utf8')) as Record<string, unknown>);
  const m = raw as Record<string, unknown> & { feature_schema?: { features?: { name: string; kind?: string }[] } };
  return {
    bundle,
    kind,
    created_at: String(m.created_at ?? ''),
    versions: (m.versions as Record<string, string>) ?? {},
    target: (m.target as string | null) ?? null,
    columns: (m.columns as Record<string, string | string[]> | undefined) ?? {},
    features: (m.feature_schema?.features ?? []).map((f) => ({ name: f.name, ...(f.kind ? { kind: f.kind } : {}) })),
    metrics: (m.metrics as Record<string, number | null>) ?? {},
    params: (m.params as Record<string, unknown>) ?? {},
    files: Object.fromEntries(Object.entries((m.files as Record<string, { bytes: number; role: string }>) ?? {}).map(([k, v]) => [k, { bytes: v.bytes, role: v.role }])),
    integrity,
    signature: loaded?.signature ?? null,
  };
}
