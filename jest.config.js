/** One jest run over every workspace; tests live next to the code they test (src/, *.test.ts). */
/** @type {import('jest').Config} */
module.exports = {
  roots: ['<rootDir>/native', '<rootDir>/packages', '<rootDir>/scripts'],
  testMatch: ['**/src/**/*.test.ts', '**/scripts/**/*.test.ts'],
  testPathIgnorePatterns: ['/node_modules/', '/dist/', '/build/'],
  transform: {
    '^.+\\.tsx?$': ['ts-jest', { tsconfig: '<rootDir>/tsconfig.jest.json' }],
  },
  testEnvironment: 'node',
  // Resolve workspace packages to their TypeScript sources: no build needed to test.
  testEnvironmentOptions: { customExportConditions: ['@kdap/source', 'node', 'require', 'default'] },
  cacheDirectory: '<rootDir>/.jest-cache',
  testTimeout: 120000,
  maxWorkers: 2,
  // `npm run test:coverage` (jest --coverage): the TypeScript sources of every package, not tests,
  // child-process entry points or test support. V8's own counters, not Babel instrumentation:
  // measured cheaper on this suite (see scripts/coverage/summary.mjs for the per-package table).
  collectCoverageFrom: [
    '{native,packages}/*/src/**/*.ts',
    '!**/*.test.ts',
    '!**/*.child.ts',
    '!**/*.typecheck.ts',
    '!**/*.d.ts',
    '!**/src/testing/**',
    '!packages/test-support/**',
  ],
  coverageProvider: 'v8',
  coverageDirectory: '<rootDir>/coverage',
  coverageReporters: ['html', 'json-summary'],
};
