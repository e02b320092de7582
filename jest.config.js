/** One Jest run for every tier: unit (*.spec.ts), integration (*.int-spec.ts) and end to end (e2e/*.e2e-spec.ts). */
const swcrc = require('./.swcrc.json');

module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/apps', '<rootDir>/libs', '<rootDir>/tools', '<rootDir>/e2e'],
  testMatch: ['**/*.spec.ts', '**/*.int-spec.ts', '**/*.e2e-spec.ts'],
  testPathIgnorePatterns: ['/node_modules/', '/dist/'],
  transform: { '^.+\\.ts$': ['@swc/jest', { ...swcrc, swcrc: false }] },
  moduleNameMapper: { '^@hotswap/(config-snapshot|proto|testing)$': '<rootDir>/libs/$1/src' },
  globalSetup: '<rootDir>/tools/test-env/global-setup.ts',
  globalTeardown: '<rootDir>/tools/test-env/global-teardown.ts',
  reporters: ['default', '<rootDir>/tools/test-env/summary-reporter.js'],
  testTimeout: 60_000,
  maxWorkers: 2,
};
