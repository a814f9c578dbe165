import { addonPlatform, missingAddonMessage, sourceBuildCommand, unloadableAddonMessage } from './addon-loading';

const addon = {
  what: 'The test addon',
  packageName: '@kdap/test-addon',
  packageDir: '/srv/app/node_modules/@kdap/test-addon',
  file: '/srv/app/node_modules/@kdap/test-addon/build/Release/test_addon.node',
  needs: 'cmake and a C++17 compiler',
  aptPackages: ['build-essential', 'cmake'],
};

describe('addon load messages', () => {
  it('names this platform as the prebuilt packages do', () => {
    // This machine (and CI) is the one supported platform: Linux x64 with glibc.
    expect(addonPlatform()).toBe(`${process.platform}-${process.arch}-glibc`);
  });

  it('says which file is missing, for which platform, and the build command that works where the package is installed', () => {
    expect(missingAddonMessage(addon)).toBe(
      'The test addon is not available: /srv/app/node_modules/@kdap/test-addon/build/Release/test_addon.node is missing ' +
        `(@kdap/test-addon ships it prebuilt for linux-x64-glibc, but this installation has no test_addon.node). ` +
        "Build it from source with 'cd /srv/app/node_modules/@kdap/test-addon && npm run build' " +
        '(needs cmake and a C++17 compiler; Debian/Ubuntu: apt-get install build-essential cmake).',
    );
  });

  it('quotes directories the shell would split', () => {
    expect(sourceBuildCommand({ packageDir: "/home/o'brien/my app/node_modules/@kdap/x" })).toBe("cd '/home/o'\\''brien/my app/node_modules/@kdap/x' && npm run build");
  });

  it('keeps the loader error and adds the platform and the rebuild command', () => {
    expect(unloadableAddonMessage(addon, new Error('invalid ELF header'), 'A hint.')).toBe(
      `Could not load ${addon.file} on linux-x64-glibc: invalid ELF header. A hint. If the file was built for another platform, ` +
        "rebuild it from source with 'cd /srv/app/node_modules/@kdap/test-addon && npm run build' (needs cmake and a C++17 compiler; Debian/Ubuntu: apt-get install build-essential cmake).",
    );
  });
});
