// Unit tests sit beside their code (*.spec.ts); cross-service suites live in test/ (*.test.ts)
// and run against real NATS, Redis and PostgreSQL started by test/harness.
const { availableParallelism, tmpdir } = require('node:os');
const { join } = require('node:path');
const { pathsToModuleNameMapper } = require('ts-jest');
const { compilerOptions } = require('./tsconfig.base.json');

// Every suite starts its servers and three services as node processes, and the CLI runs as one per call:
// V8's compiled code kept on disk spares each start part of its compile work. Children inherit it.
process.env.NODE_COMPILE_CACHE ??= join(tmpdir(), 'inviaro-node-compile-cache');

const shared = {
  testEnvironment: 'node',
  // Type errors are the typecheck step's job (npm run typecheck); here, transpile only, for speed.
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.spec.json' }] },
  moduleNameMapper: pathsToModuleNameMapper(compilerOptions.paths, { prefix: '<rootDir>/' }),
  setupFiles: ['reflect-metadata'],
};

module.exports = {
  // A system suite spends most of its time waiting for its processes, servers and timers: one worker more than
  // the cores keeps both busy (jest's default, one less than the cores, left one idle). `--maxWorkers` overrides.
  maxWorkers: availableParallelism() + 1,
  projects: [
    { ...shared, displayName: 'unit', testMatch: ['<rootDir>/apps/**/*.spec.ts', '<rootDir>/libs/**/*.spec.ts'] },
    { ...shared, displayName: 'system', testMatch: ['<rootDir>/test/**/*.test.ts'], slowTestThreshold: 60 },
  ],
};
