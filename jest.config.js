// Unit tests sit beside their code (*.spec.ts); cross-service suites live in test/ (*.test.ts)
// and run against real NATS, Redis and PostgreSQL started by test/harness.
const { pathsToModuleNameMapper } = require('ts-jest');
const { compilerOptions } = require('./tsconfig.base.json');

const shared = {
  testEnvironment: 'node',
  // Type errors are the typecheck step's job (npm run typecheck); here, transpile only, for speed.
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.spec.json' }] },
  moduleNameMapper: pathsToModuleNameMapper(compilerOptions.paths, { prefix: '<rootDir>/' }),
  setupFiles: ['reflect-metadata'],
};

module.exports = {
  projects: [
    { ...shared, displayName: 'unit', testMatch: ['<rootDir>/apps/**/*.spec.ts', '<rootDir>/libs/**/*.spec.ts'] },
    { ...shared, displayName: 'system', testMatch: ['<rootDir>/test/**/*.test.ts'], slowTestThreshold: 60 },
  ],
};
