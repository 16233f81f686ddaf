import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import nx from '@nx/eslint-plugin';
import prettier from 'eslint-config-prettier';

const libTags = ['type:contracts', 'type:crypto', 'type:transport', 'type:bus', 'type:util', 'type:data', 'type:secrets', 'type:config'];

export default tseslint.config(
  { ignores: ['**/dist/**', '**/node_modules/**', '**/.nx/**', '**/.run/**', '**/coverage/**'] },
  js.configs.recommended,
  // Type-checked: the rules see the types, so a promise nobody awaits or a promise passed where
  // a callback's result is ignored is an error, not a silent unhandled rejection.
  ...tseslint.configs.recommendedTypeChecked,
  prettier,
  {
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      // Off: an async callback without an await is how a throw becomes the rejection its caller expects.
      '@typescript-eslint/require-await': 'off',
    },
  },
  {
    files: ['**/*.ts', '**/*.js', '**/*.mjs'],
    plugins: { '@nx': nx },
    rules: {
      // Apps depend on libs only (never on each other); each lib says which libs it may use.
      '@nx/enforce-module-boundaries': [
        'error',
        {
          enforceBuildableLibDependency: false,
          allow: [],
          depConstraints: [
            { sourceTag: 'type:app', onlyDependOnLibsWithTags: [...libTags, 'type:sdk', 'type:runtime'] },
            // The demo is a customer's product: it may use what customers install (the SDK) and the admin API's
            // answer shapes (libs/contracts, types only: see below), nothing internal.
            { sourceTag: 'scope:demo', onlyDependOnLibsWithTags: ['type:sdk', 'type:contracts'] },
            // The SDK ships to customers on its own.
            { sourceTag: 'type:sdk', onlyDependOnLibsWithTags: [] },
            { sourceTag: 'type:test', onlyDependOnLibsWithTags: [...libTags, 'type:servers', 'type:harness'] },
            // The start command runs the local servers and the system as the harness does, never the harness itself.
            { sourceTag: 'type:tool', onlyDependOnLibsWithTags: [...libTags, 'type:servers'] },
            { sourceTag: 'type:harness', onlyDependOnLibsWithTags: [...libTags, 'type:servers'] },
            // Local NATS, Redis and PostgreSQL and the system on them, for the start command and the harness.
            { sourceTag: 'type:servers', onlyDependOnLibsWithTags: libTags },
            // What starts a service process: the transport, HTTP, health and metrics together.
            { sourceTag: 'type:runtime', onlyDependOnLibsWithTags: ['type:bus', 'type:transport', 'type:util', 'type:config'] },
            // The system's bus: its streams, permissions and consumer names, and events as contracts on the transport.
            { sourceTag: 'type:bus', onlyDependOnLibsWithTags: ['type:contracts', 'type:transport', 'type:util', 'type:config'] },
            // A transport that knows no domain: what it routes where, and how it decodes, its caller tells it.
            { sourceTag: 'type:transport', onlyDependOnLibsWithTags: ['type:util', 'type:config'] },
            // The widget-secret domain (vault, cache, claim keys) over the data layer; the data layer knows nothing of it.
            { sourceTag: 'type:secrets', onlyDependOnLibsWithTags: ['type:data', 'type:contracts', 'type:crypto', 'type:util', 'type:config'] },
            { sourceTag: 'type:data', onlyDependOnLibsWithTags: ['type:contracts', 'type:crypto', 'type:util', 'type:config'] },
            // Every setting once, with what the README's table says of it; key rings are checked as the services read them.
            { sourceTag: 'type:config', onlyDependOnLibsWithTags: ['type:crypto'] },
            { sourceTag: 'type:contracts', onlyDependOnLibsWithTags: [] },
            { sourceTag: 'type:crypto', onlyDependOnLibsWithTags: [] },
            { sourceTag: 'type:util', onlyDependOnLibsWithTags: [] },
            { sourceTag: 'scope:browser', onlyDependOnLibsWithTags: [] },
          ],
        },
      ],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    // The demo reads the admin API's answers as the contracts declare them, and runs none of the contracts' code.
    files: ['apps/demo/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        { paths: [{ name: '@inviaro/contracts', allowTypeImports: true, message: 'the demo takes only the answer shapes from the contracts: `import type`' }] },
      ],
    },
  },
  {
    // An app's specs may run real servers through the test harness (the gateway's use-case specs run on real
    // PostgreSQL and Redis); the app's own code stays held to the rule above.
    files: ['apps/**/*.spec.ts'],
    rules: {
      '@nx/enforce-module-boundaries': [
        'error',
        {
          enforceBuildableLibDependency: false,
          allow: [],
          depConstraints: [{ sourceTag: 'type:app', onlyDependOnLibsWithTags: [...libTags, 'type:sdk', 'type:runtime', 'type:harness'] }],
        },
      ],
    },
  },
  {
    // System tests read JSON answers, SSE frames and page state whose shape is what they assert:
    // typing each body would restate the contract (the services' own code keeps these rules).
    files: ['test/**/*.test.ts', 'test/browser/**/*.ts'],
    rules: {
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
    },
  },
  // Plain JavaScript (build scripts, snippets) is in no tsconfig: lint it without types.
  { files: ['**/*.js', '**/*.cjs', '**/*.mjs'], ...tseslint.configs.disableTypeChecked },
  {
    files: ['**/*.js', '**/*.cjs'],
    languageOptions: { globals: { require: 'readonly', module: 'writable', process: 'readonly', console: 'readonly', __dirname: 'readonly' } },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
);
