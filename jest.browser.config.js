// Browser tests (`npm run test:browser`): Swagger UI and the sandbox's hosted pages driven in
// Debian's Chromium (/usr/bin/chromium, `apt-get install chromium`) through playwright-core.
// Kept apart from `npm test`, whose testMatch (*.e2e-spec.ts, src/**/*.spec.ts) never picks up
// *.browser-spec.ts. Screenshots of each step go to test-results/screenshots/ (git-ignored).
const swc = [
  '@swc/jest',
  {
    jsc: {
      parser: { syntax: 'typescript', decorators: true },
      transform: { legacyDecorator: true, decoratorMetadata: true, useDefineForClassFields: false },
      target: 'es2022',
      keepClassNames: true,
    },
    module: { type: 'commonjs' },
  },
];

module.exports = {
  displayName: 'browser',
  rootDir: __dirname,
  transform: { '^.+\\.ts$': swc },
  moduleFileExtensions: ['ts', 'js', 'json'],
  testEnvironment: 'node',
  testMatch: ['<rootDir>/test/browser/**/*.browser-spec.ts'],
  // A browser start, a service boot and a few page loads per test, on a busy machine.
  testTimeout: 60_000,
};
