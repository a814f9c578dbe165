import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { AddonLoadError } from '@kdap/errors';
import { ADDON_ERROR_CLASSES, type AddonErrorClasses } from './errors';
import { loadWithOpenMPDefaults } from './openmp';
import { addonPlatform, nativePackageConfig, platformPackageName, platformPackageSuffix } from './platform';

/** What one addon needs to explain itself when it cannot be loaded. */
export interface AddonDescription {
  /** e.g. 'The LightGBM addon'. */
  what: string;
  /** The npm package, e.g. '@kdap/lightgbm-node'. */
  packageName: string;
  /** The package's directory (where its package.json and `npm run build` are). */
  packageDir: string;
  /** The source build's .node file (`<packageDir>/build/Release/<name>.node`); a platform package holds the same name. */
  file: string;
  /** What a source build needs, e.g. 'cmake, a C++17 compiler and python3 with pip'. */
  needs: string;
  /** The Debian/Ubuntu packages that provide it. */
  aptPackages: string[];
  /** Platform package suffixes the package is published with (its package.json `kdapNative.platforms`); read from there when absent. */
  platforms?: string[];
}

/** What a source build of an addon needs, in the words its load errors use. */
export interface SourceBuildNeeds {
  /** e.g. 'The LightGBM addon'. */
  what: string;
  /** e.g. 'cmake, a C++17 compiler and python3 with pip'; default: what every addon build needs (PLAIN_ADDON_BUILD). */
  needs?: string;
  /** The Debian/Ubuntu packages that provide it; default: PLAIN_ADDON_BUILD's. */
  aptPackages?: string[];
}

/** What an addon that links no library needs to build (napi-common's CMake build). */
export const PLAIN_ADDON_BUILD = { needs: 'cmake and a C++17 compiler', aptPackages: ['build-essential', 'cmake'] } as const;

/**
 * The description of the addon of the package in `packageDir`, from its package.json: the package
 * name, and the source build's .node file as the first of `kdapNative.binaries` (the file its
 * platform packages ship), so the name and path are written in one place.
 */
export function describeAddon(packageDir: string, needs: SourceBuildNeeds): AddonDescription {
  const manifest = JSON.parse(fs.readFileSync(path.join(packageDir, 'package.json'), 'utf8')) as { name: string };
  const binary = nativePackageConfig(packageDir)?.binaries.find((file) => file.endsWith('.node'));
  if (binary === undefined) throw new AddonLoadError(`${path.join(packageDir, 'package.json')} names no .node file in kdapNative.binaries; reinstall ${manifest.name}.`);
  return {
    what: needs.what,
    packageName: manifest.name,
    packageDir,
    file: path.join(packageDir, binary),
    needs: needs.needs ?? PLAIN_ADDON_BUILD.needs,
    aptPackages: needs.aptPackages ?? [...PLAIN_ADDON_BUILD.aptPackages],
  };
}

/** A KDAP addon: its init() stores the @kdap/errors classes its C++ side throws. */
export interface KdapAddon {
  init(classes: AddonErrorClasses): void;
}

/** How one addon loads, beyond finding its file. */
export interface AddonLoadOptions {
  /** The addon links OpenMP: load it with loadWithOpenMPDefaults' spin settings. */
  openMP?: boolean;
  /** A fix for a load failure the generic advice would not give (see loadAddon). */
  hint?: (error: unknown) => string | undefined;
}

/**
 * Loads a KDAP addon from its platform package or a source build (loadAddon) and initializes it
 * with the @kdap/errors classes, once per call: callers keep the binding per environment.
 */
export function loadKdapAddon<T extends KdapAddon>(addon: AddonDescription, options: AddonLoadOptions = {}): T {
  const requireFile = createRequire(path.join(addon.packageDir, 'package.json'));
  const { binding } = loadAddon(addon, (file) => {
    const loaded = (options.openMP ? loadWithOpenMPDefaults(() => requireFile(file)) : requireFile(file)) as T;
    loaded.init(ADDON_ERROR_CLASSES);
    return loaded;
  }, options.hint);
  return binding;
}

/** The hint for an addon that links libgomp and failed to load because the runtime is missing. */
export function openMPRuntimeHint(error: unknown): string | undefined {
  const message = error instanceof Error ? error.message : String(error);
  return /libgomp/.test(message) ? "The OpenMP runtime is missing: install it (Debian/Ubuntu: apt-get install libgomp1)." : undefined;
}

/**
 * The command that builds the addon from source where the package is installed: the package's
 * own build script, so it works the same in a consumer's node_modules and in this repository.
 */
export function sourceBuildCommand(addon: Pick<AddonDescription, 'packageDir'>): string {
  return `cd ${quoteForShell(addon.packageDir)} && npm run build`;
}

/** Where an addon's binary may be, in the order they are tried. */
export interface AddonLocation {
  kind: 'source build' | 'platform package';
  /** The .node file there (for a platform package that is not installed: the package name + file name). */
  file: string;
  /** Whether the file exists. */
  exists: boolean;
  /** The platform package's name (kind 'platform package'). */
  packageName?: string;
}

/**
 * The places an addon's binary is looked for: first a source build in the package's own
 * `build/Release` (it exists only where someone built it: this repository, or a consumer who ran
 * the source-build command, which must then win over the prebuilt binary it replaces), then the
 * platform package for this process, resolved from the addon package as Node resolves its
 * dependencies (npm installs it as the addon's optional dependency on the platforms it declares).
 */
export function addonLocations(addon: AddonDescription, suffix: string = platformPackageSuffix()): AddonLocation[] {
  const packageName = platformPackageName(addon.packageName, suffix);
  const fileName = path.basename(addon.file);
  let platformFile = `${packageName}/${fileName}`;
  let exists = false;
  try {
    const manifest = createRequire(path.join(addon.packageDir, 'package.json')).resolve(`${packageName}/package.json`);
    platformFile = path.join(path.dirname(manifest), fileName);
    exists = fs.existsSync(platformFile);
  } catch {
    // Not installed: not published for this platform, or skipped (--omit=optional).
  }
  return [
    { kind: 'source build', file: addon.file, exists: fs.existsSync(addon.file) },
    { kind: 'platform package', file: platformFile, exists, packageName },
  ];
}

/**
 * Loads an addon from the first of its locations (addonLocations) that loads, and returns the
 * binding and the file it came from. Throws AddonLoadError naming the platform, every place
 * looked in, why each failed and what to do.
 *
 * @param load loads one .node file (e.g. through `loadWithOpenMPDefaults` and `require`)
 * @param hint a fix for a load failure the generic advice would not give (e.g. a missing OpenMP runtime)
 */
export function loadAddon<T>(addon: AddonDescription, load: (file: string) => T, hint?: (error: unknown) => string | undefined): { binding: T; file: string } {
  const locations = addonLocations(addon);
  const failures: LoadFailure[] = [];
  for (const location of locations) {
    if (!location.exists) continue;
    try {
      return { binding: load(location.file), file: location.file };
    } catch (error) {
      failures.push({ location, error });
    }
  }
  if (failures.length === 0) throw new AddonLoadError(missingAddonMessage(addon));
  const hints = [...new Set(failures.map((f) => hint?.(f.error)).filter((h): h is string => h !== undefined))];
  throw new AddonLoadError(unloadableAddonMessage(addon, failures, hints.join(' ') || undefined), { cause: failures[failures.length - 1]!.error });
}

/** The message for an addon found nowhere: platform, both places looked in, and the fixes. */
export function missingAddonMessage(addon: AddonDescription): string {
  const platform = addonPlatform();
  const suffix = platformPackageSuffix();
  const [, prebuilt] = addonLocations(addon, suffix);
  const platforms = addon.platforms ?? nativePackageConfig(addon.packageDir)?.platforms ?? [];
  const installed = prebuilt!.file !== `${prebuilt!.packageName}/${path.basename(addon.file)}`;
  const why = installed
    ? `installed, but ${prebuilt!.file} is missing: reinstall it`
    : platforms.includes(suffix)
      ? `not installed: it is an optional dependency of ${addon.packageName} that npm installs on ${platform}, ` +
        "and this installation skipped it (e.g. 'npm install --omit=optional', or a lockfile written without it); install again without that"
      : `not published: ${addon.packageName} is prebuilt only for ${platforms.length ? platforms.join(', ') : 'no platform'}`;
  return (
    `${addon.what} is not available on ${platform}. Looked for the platform package ${prebuilt!.packageName} (${why}) ` +
    `and for a source build at ${addon.file} (not built). ` +
    `Build it from source with '${sourceBuildCommand(addon)}' ` +
    `(needs ${addon.needs}; Debian/Ubuntu: apt-get install ${addon.aptPackages.join(' ')}).`
  );
}

/** A location whose file exists but did not load, and the loader's error. */
export interface LoadFailure {
  location: AddonLocation;
  error: unknown;
}

/**
 * The message for addon files that exist but do not load (a missing library, another ABI): each
 * file and its loader error, the hint, and the source build.
 */
export function unloadableAddonMessage(addon: AddonDescription, failures: LoadFailure[], hint?: string): string {
  const tried = failures.map(({ location, error }) => {
    const from = location.kind === 'platform package' ? ` (from the platform package ${location.packageName})` : '';
    return `Could not load ${location.file}${from} on ${addonPlatform()}: ${error instanceof Error ? error.message : String(error)}.`;
  });
  return (
    `${tried.join(' ')} ` +
    (hint ? `${hint} ` : '') +
    `If the file was built for another platform, rebuild it from source with '${sourceBuildCommand(addon)}' ` +
    `(needs ${addon.needs}; Debian/Ubuntu: apt-get install ${addon.aptPackages.join(' ')}).`
  );
}

function quoteForShell(text: string): string {
  return /^[\w@%+=:,./-]+$/.test(text) ? text : `'${text.replace(/'/g, "'\\''")}'`;
}
