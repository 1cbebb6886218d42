// Unit tests live beside the code (src/**/*.spec.ts); end-to-end tests in test/ boot the real
// app against SQLite, or PostgreSQL when TEST_DATABASE_URL is set (then the PostgreSQL-only
// suites in test/postgres run too; with TEST_REDIS_URL those in test/redis).
const common = require('./jest.common');

const postgres = Boolean(process.env.TEST_DATABASE_URL);
const redis = Boolean(process.env.TEST_REDIS_URL);

module.exports = {
  projects: [
    { ...common, displayName: 'unit', testMatch: ['<rootDir>/src/**/*.spec.ts'] },
    {
      ...common,
      displayName: 'e2e',
      testMatch: ['<rootDir>/test/**/*.e2e-spec.ts'],
      testPathIgnorePatterns: [
        '/node_modules/',
        ...(postgres ? [] : ['<rootDir>/test/postgres/']),
        ...(redis ? [] : ['<rootDir>/test/redis/']),
      ],
      globalSetup: '<rootDir>/test/support/global-setup.ts',
    },
  ],
  testTimeout: 30_000,
  // Many suites mostly wait (on timeouts, child processes, the database): two workers halve the run.
  maxWorkers: 2,
};
