import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { ConfigError, ParameterError, describe } from '@kdap/errors';

/** The environment variable holding the key bundles are signed and verified with. */
export const BUNDLE_KEY_ENV = 'KDAP_BUNDLE_KEY';

/** Shorter keys are refused: an HMAC is only as strong as a key that cannot be guessed. */
export const MIN_BUNDLE_KEY_BYTES = 16;

/**
 * A bundle signing key: a string (its UTF-8 bytes are the key) or raw bytes. Generate one with
 * e.g. `openssl rand -hex 32` and keep it out of the bundle's storage.
 */
export type BundleKey = string | Uint8Array;

/**
 * What a load established about who wrote the manifest:
 * - `verified`: signed, and the signature matches the key given;
 * - `unverified`: signed, but no key was given, so only the checksum was checked;
 * - `unsigned`: no signature (and no key was given: with a key, an unsigned bundle is refused).
 */
export type BundleSignatureStatus = 'verified' | 'unverified' | 'unsigned';

/**
 * The manifest's canonical form: JSON with object keys sorted (by UTF-16 code unit), no
 * whitespace, values as `JSON.stringify` writes them (undefined members dropped). Any two writers
 * of the same manifest produce the same bytes, whatever their key order or indentation.
 */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map((v) => (v === undefined || typeof v === 'function' ? 'null' : canonicalJson(v))).join(',')}]`;
  const members = Object.keys(value)
    .sort()
    .filter((k) => {
      const v = (value as Record<string, unknown>)[k];
      return v !== undefined && typeof v !== 'function';
    })
    .map((k) => `${JSON.stringify(k)}:${canonicalJson((value as Record<string, unknown>)[k])}`);
  return `{${members.join(',')}}`;
}

/** The part of a manifest that is hashed and signed: everything but its `integrity` member. */
export function canonicalManifest(manifest: Readonly<Record<string, unknown>>): string {
  const { integrity: _integrity, ...covered } = manifest;
  return canonicalJson(covered);
}

/** Hex SHA-256 of the canonical manifest. */
export function manifestSha256(canonical: string): string {
  return createHash('sha256').update(canonical, 'utf8').digest('hex');
}

/** Hex HMAC-SHA256 of the canonical manifest under `key`. */
export function manifestHmac(canonical: string, key: Buffer): string {
  return createHmac('sha256', key).update(canonical, 'utf8').digest('hex');
}

/** Compares two hex digests in constant time (a signature check must not leak how much matched). */
export function sameDigest(actual: string, expected: string): boolean {
  const a = Buffer.from(actual, 'hex');
  const b = Buffer.from(expected, 'hex');
  return a.byteLength === 32 && b.byteLength === 32 && timingSafeEqual(a, b);
}

/**
 * The key to sign or verify with: the `signingKey` option when given, else `KDAP_BUNDLE_KEY`
 * when set, else none.
 *
 * @throws ParameterError for a `signingKey` option that is not a string or bytes or is shorter than 16 bytes.
 * @throws ConfigError for a `KDAP_BUNDLE_KEY` that is set but empty or shorter than 16 bytes.
 */
export function resolveBundleKey(option: BundleKey | undefined, caller: string, env: NodeJS.ProcessEnv = process.env): Buffer | undefined {
  if (option !== undefined) {
    if (typeof option !== 'string' && !(option instanceof Uint8Array)) {
      throw new ParameterError('signingKey', `The 'signingKey' option of ${caller} must be a string or a Uint8Array. Got ${describe(option)}.`);
    }
    const key = typeof option === 'string' ? Buffer.from(option, 'utf8') : Buffer.from(option);
    if (key.byteLength < MIN_BUNDLE_KEY_BYTES) {
      throw new ParameterError(
        'signingKey',
        `The 'signingKey' option of ${caller} must be at least ${MIN_BUNDLE_KEY_BYTES} bytes long. Got ${key.byteLength}. Generate one with e.g. 'openssl rand -hex 32'.`,
      );
    }
    return key;
  }
  return bundleKeyFromEnv(env);
}

/**
 * The bundle key in `KDAP_BUNDLE_KEY` of `env`, or undefined when it is not set. For programs
 * that pass their own environment around (the CLI); `saveBundle`/`loadBundle` read it themselves.
 *
 * @throws ConfigError when it is set but empty or shorter than 16 bytes.
 */
export function bundleKeyFromEnv(env: NodeJS.ProcessEnv = process.env): Buffer | undefined {
  const text = env[BUNDLE_KEY_ENV];
  if (text === undefined) return undefined;
  const key = Buffer.from(text, 'utf8');
  // An empty or short value is a mistake (an unset shell variable expanded into it), never "no key":
  // treating it as no key would silently save unsigned bundles and accept unsigned ones.
  if (key.byteLength < MIN_BUNDLE_KEY_BYTES) {
    const source = `environment variable ${BUNDLE_KEY_ENV}`;
    const message = `${source} must be at least ${MIN_BUNDLE_KEY_BYTES} bytes long. Got ${key.byteLength === 0 ? 'an empty value' : `${key.byteLength}`}. Set it to the bundle key (e.g. 'openssl rand -hex 32') or unset it.`;
    throw new ConfigError([{ source, keyPath: '', message }]);
  }
  return key;
}
