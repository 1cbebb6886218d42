// Browser tests (`npm run test:browser`): Swagger UI and the sandbox's hosted pages driven in
// Debian's Chromium (/usr/bin/chromium, `apt-get install chromium`) through playwright-core.
// Kept apart from `npm test`, whose testMatch (*.e2e-spec.ts, src/**/*.spec.ts) never picks up
// *.browser-spec.ts. Screenshots of each step go to test-results/screenshots/ (git-ignored).
const common = require('./jest.common');

module.exports = {
  displayName: 'browser',
  rootDir: __dirname,
  ...common,
  testMatch: ['<rootDir>/test/browser/**/*.browser-spec.ts'],
  // A browser start, a service boot and a few page loads per test, on a busy machine.
  testTimeout: 60_000,
};
