/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  transform: { '^.+\\.ts$': ['@swc/jest'] },
  testMatch: ['<rootDir>/test/**/*.test.ts'],
  globalSetup: '<rootDir>/test/helpers/global-setup.ts',
  globalTeardown: '<rootDir>/test/helpers/global-teardown.ts',
  setupFiles: ['<rootDir>/test/helpers/setup-file.ts'],
  reporters: ['default', '<rootDir>/test/helpers/summary-reporter.js'],
  testTimeout: 120_000,
  maxWorkers: 2,
  // Each suite starts a whole system; a worker that has grown past this after a file is replaced, not reused.
  workerIdleMemoryLimit: '1.5GB',
  // The native Temporal bridge keeps handles open after teardown (sdk-typescript#928).
  forceExit: true,
};
