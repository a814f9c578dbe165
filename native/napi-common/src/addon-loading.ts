import path from 'node:path';

/** The platform the addons are prebuilt and tested on (docs/publishing.md). */
export const PREBUILT_PLATFORM = 'linux-x64-glibc';

/**
 * This process's platform as prebuilt addons are named: `<platform>-<arch>[-glibc|-musl]`, e.g.
 * `linux-x64-glibc`. The C library is read from Node's own diagnostic report (glibc builds of Node
 * report the glibc version they run with; musl builds do not).
 */
export function addonPlatform(): string {
  const base = `${process.platform}-${process.arch}`;
  if (process.platform !== 'linux') return base;
  return `${base}-${linuxLibc()}`;
}

function linuxLibc(): 'glibc' | 'musl' {
  const report = process.report?.getReport() as { header?: { glibcVersionRuntime?: string } } | undefined;
  return report?.header?.glibcVersionRuntime ? 'glibc' : 'musl';
}

/** What one addon needs to explain itself when it cannot be loaded. */
export interface AddonDescription {
  /** e.g. 'The LightGBM addon'. */
  what: string;
  /** The npm package, e.g. '@kdap/lightgbm-node'. */
  packageName: string;
  /** The package's directory (where its package.json and `npm run build` are). */
  packageDir: string;
  /** The .node file looked for. */
  file: string;
  /** What a source build needs, e.g. 'cmake, a C++17 compiler and python3 with pip'. */
  needs: string;
  /** The Debian/Ubuntu packages that provide it. */
  aptPackages: string[];
}

/**
 * The command that builds the addon from source where the package is installed: the package's
 * own build script, so it works the same in a consumer's node_modules and in this repository.
 */
export function sourceBuildCommand(addon: Pick<AddonDescription, 'packageDir'>): string {
  return `cd ${quoteForShell(addon.packageDir)} && npm run build`;
}

/** The message for an addon file that does not exist: platform, the file, and the fix. */
export function missingAddonMessage(addon: AddonDescription): string {
  const platform = addonPlatform();
  const prebuilt =
    platform === PREBUILT_PLATFORM
      ? `${addon.packageName} ships it prebuilt for ${PREBUILT_PLATFORM}, but this installation has no ${path.basename(addon.file)}`
      : `${addon.packageName} ships it prebuilt only for ${PREBUILT_PLATFORM}, and this is ${platform}`;
  return (
    `${addon.what} is not available: ${addon.file} is missing (${prebuilt}). ` +
    `Build it from source with '${sourceBuildCommand(addon)}' ` +
    `(needs ${addon.needs}; Debian/Ubuntu: apt-get install ${addon.aptPackages.join(' ')}).`
  );
}

/** The message for an addon file that exists but does not load (a missing library, another ABI). */
export function unloadableAddonMessage(addon: AddonDescription, error: unknown, hint?: string): string {
  const message = error instanceof Error ? error.message : String(error);
  return (
    `Could not load ${addon.file} on ${addonPlatform()}: ${message}. ` +
    (hint ? `${hint} ` : '') +
    `If the file was built for another platform, rebuild it from source with '${sourceBuildCommand(addon)}' ` +
    `(needs ${addon.needs}; Debian/Ubuntu: apt-get install ${addon.aptPackages.join(' ')}).`
  );
}

function quoteForShell(text: string): string {
  return /^[\w@%+=:,./-]+$/.test(text) ? text : `'${text.replace(/'/g, "'\\''")}'`;
}
