/** One Jest run for every tier: unit (*.spec.ts), integration (*.int-spec.ts) and end to end (e2e/*.e2e-spec.ts). */
const swcrc = require('./.swcrc.json');

module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/apps', '<rootDir>/libs', '<rootDir>/tools', '<rootDir>/e2e'],
  testMatch: ['**/*.spec.ts', '**/*.int-spec.ts', '**/*.e2e-spec.ts'],
  testPathIgnorePatterns: ['/node_modules/', '/dist/'],
  transform: {
    '^.+\\.ts$': ['@swc/jest', { ...swcrc, swcrc: false }],
    // The OTLP exporter loads node:http with import(), which Jest's CommonJS runtime refuses: compiled to require().
    '/node_modules/@opentelemetry/otlp-exporter-base/.+\\.js$': ['@swc/jest', { ...swcrc, swcrc: false }],
  },
  transformIgnorePatterns: ['/node_modules/(?!@opentelemetry/otlp-exporter-base/)'],
  moduleNameMapper: { '^@hotswap/(config-snapshot|observability|proto|testing)$': '<rootDir>/libs/$1/src' },
  globalSetup: '<rootDir>/tools/test-env/global-setup.ts',
  globalTeardown: '<rootDir>/tools/test-env/global-teardown.ts',
  setupFiles: ['<rootDir>/tools/test-env/child-coverage-env.js'],
  reporters: [
    'default',
    '<rootDir>/tools/test-env/summary-reporter.js',
    '<rootDir>/tools/test-env/coverage-reporter.js',
  ],
  // `jest --coverage` (npm test): V8 coverage, merged with child processes' by coverage-reporter.js into coverage/.
  coverageProvider: 'v8',
  coveragePathIgnorePatterns: [
    '/node_modules/',
    '/dist/',
    '/test/',
    '/e2e/',
    '/tools/',
    '/libs/testing/',
    '/generated/',
  ],
  coverageReporters: ['none'],
  testTimeout: 60_000,
  maxWorkers: 2,
};
