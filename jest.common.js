// What every Jest configuration of the project shares: TypeScript through SWC, with the
// decorator metadata NestJS and TypeORM need.

// The compiled tests are CommonJS and require() ES-module-only dependencies (NestJS, Kysely, …);
// Jest does that (as Node does) only with Node's VM modules, which need this flag.
if (typeof require('node:vm').SourceTextModule !== 'function') {
  throw new Error(
    'Jest needs Node.js started with --experimental-vm-modules to load the ES-module dependencies: ' +
      'run `npm test` (`npm test -- path/to/file` for some files) or ' +
      'NODE_OPTIONS=--experimental-vm-modules npx jest',
  );
}
module.exports = {
  transform: {
    '^.+\\.ts$': [
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
    ],
  },
  moduleFileExtensions: ['ts', 'js', 'json'],
  testEnvironment: 'node',
};
