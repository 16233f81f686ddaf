import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import nx from '@nx/eslint-plugin';
import prettier from 'eslint-config-prettier';

const libTags = ['type:contracts', 'type:crypto', 'type:transport', 'type:util', 'type:data'];

export default tseslint.config(
  { ignores: ['**/dist/**', '**/node_modules/**', '**/.nx/**', '**/.run/**', '**/coverage/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  prettier,
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
            // The demo is a customer's product: it may use what customers install (the SDK), nothing internal.
            { sourceTag: 'scope:demo', onlyDependOnLibsWithTags: ['type:sdk'] },
            // The SDK ships to customers on its own.
            { sourceTag: 'type:sdk', onlyDependOnLibsWithTags: [] },
            { sourceTag: 'type:test', onlyDependOnLibsWithTags: [...libTags, 'type:harness'] },
            { sourceTag: 'type:tool', onlyDependOnLibsWithTags: [...libTags, 'type:harness'] },
            { sourceTag: 'type:harness', onlyDependOnLibsWithTags: libTags },
            // What starts a service process: the transport, HTTP, health and metrics together.
            { sourceTag: 'type:runtime', onlyDependOnLibsWithTags: ['type:transport', 'type:util'] },
            { sourceTag: 'type:transport', onlyDependOnLibsWithTags: ['type:contracts', 'type:util'] },
            { sourceTag: 'type:data', onlyDependOnLibsWithTags: ['type:crypto', 'type:util'] },
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
    files: ['**/*.js', '**/*.cjs'],
    languageOptions: { globals: { require: 'readonly', module: 'writable', process: 'readonly', console: 'readonly', __dirname: 'readonly' } },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
);
