/**
 * Platform names of the prebuilt addons: the platform as load errors name it, the platform
 * package suffix and npm's os/cpu/libc for it, and an addon's `kdapNative` package.json field.
 * No dependencies, so the release script can use it before anything is built.
 */
import fs from 'node:fs';
import path from 'node:path';

/** The platform the addons are prebuilt and tested on (docs/publishing.md), as load errors name it. */
export const PREBUILT_PLATFORM = 'linux-x64-glibc';

/**
 * This process's platform as load errors name it: `<platform>-<arch>[-glibc|-musl]`, e.g.
 * `linux-x64-glibc`. The C library is read from Node's own diagnostic report (glibc builds of Node
 * report the glibc version they run with; musl builds do not).
 */
export function addonPlatform(): string {
  const base = `${process.platform}-${process.arch}`;
  if (process.platform !== 'linux') return base;
  return `${base}-${linuxLibc()}`;
}

let libcOfThisProcess: 'glibc' | 'musl' | undefined;

/** Read once per process: Node's diagnostic report takes 5-15 ms, and each addon load asks. */
function linuxLibc(): 'glibc' | 'musl' {
  if (libcOfThisProcess === undefined) {
    const report = process.report?.getReport() as { header?: { glibcVersionRuntime?: string } } | undefined;
    libcOfThisProcess = report?.header?.glibcVersionRuntime ? 'glibc' : 'musl';
  }
  return libcOfThisProcess;
}

/**
 * The suffix of the platform package that holds an addon's binary for this process, named as
 * napi-rs names them: `linux-x64-gnu`, `linux-arm64-musl`, `darwin-arm64`, `win32-x64-msvc`.
 * `@kdap/lightgbm-node` on Linux x64 with glibc loads `@kdap/lightgbm-node-linux-x64-gnu`.
 */
export function platformPackageSuffix(
  platform: string = process.platform,
  arch: string = process.arch,
  libc: 'glibc' | 'musl' | undefined = platform === 'linux' ? linuxLibc() : undefined,
): string {
  if (platform === 'linux') return `linux-${arch}-${libc === 'musl' ? 'musl' : 'gnu'}`;
  if (platform === 'win32') return `win32-${arch}-msvc`;
  return `${platform}-${arch}`;
}

/** `@kdap/lightgbm-node` + `linux-x64-gnu` -> `@kdap/lightgbm-node-linux-x64-gnu`. */
export function platformPackageName(packageName: string, suffix: string = platformPackageSuffix()): string {
  return `${packageName}-${suffix}`;
}

/** What a platform package suffix looks like, for messages about one that is not. */
export const PLATFORM_SUFFIX_FORM = '<os>-<cpu>-gnu|musl on Linux, win32-<cpu>-msvc on Windows, <os>-<cpu> elsewhere (e.g. linux-x64-gnu, darwin-arm64)';

/**
 * npm's `os`/`cpu`/`libc` fields for a platform package suffix (the inverse of
 * platformPackageSuffix), or undefined when `suffix` is not of the form PLATFORM_SUFFIX_FORM.
 */
export function platformFields(suffix: string): { os: string[]; cpu: string[]; libc?: string[] } | undefined {
  const match = /^(linux|darwin|win32|freebsd)-([a-z0-9]+)(?:-(gnu|musl|msvc))?$/.exec(suffix);
  const [, os, cpu, abi] = match ?? [];
  const linux = os === 'linux';
  if (!os || !cpu || linux !== (abi === 'gnu' || abi === 'musl') || (abi === 'msvc') !== (os === 'win32')) return undefined;
  return linux ? { os: [os], cpu: [cpu], libc: [abi === 'musl' ? 'musl' : 'glibc'] } : { os: [os], cpu: [cpu] };
}

/** The `kdapNative` field of an addon's package.json: what its platform packages hold, for which platforms. */
export interface NativePackageConfig {
  /** Files of the source build copied into each platform package, relative to the package, e.g. `build/Release/x.node`. */
  binaries: string[];
  /** Platform package suffixes published, e.g. `['linux-x64-gnu']`. */
  platforms: string[];
}

/** The `kdapNative` field of the package.json in `packageDir`, or undefined when it has none. */
export function nativePackageConfig(packageDir: string): NativePackageConfig | undefined {
  try {
    const manifest = JSON.parse(fs.readFileSync(path.join(packageDir, 'package.json'), 'utf8')) as { kdapNative?: NativePackageConfig };
    return manifest.kdapNative;
  } catch {
    return undefined;
  }
}
