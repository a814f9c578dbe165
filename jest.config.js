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
};
