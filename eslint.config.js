// One linter for the whole tree: ESLint's and typescript-eslint's recommended rules. `any` is allowed:
// the engine's public generics (SystemSpec<W>, StateView<W>) default their world type to it on purpose.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['node_modules/', 'tmp/', 'dist/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { process: 'readonly', console: 'readonly', performance: 'readonly', URL: 'readonly' } },
    rules: {
      '@typescript-eslint/no-explicit-any': 'off',
      // Escaping for JUnit XML and stripping ANSI colour in tests match control characters on purpose.
      'no-control-regex': 'off',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
    },
  },
  {
    // The CLI is a client of the engine's public API like any other: checker/, models/ and scenarios/
    // through their index.ts only, so the engine's internals can move without touching cli/.
    files: ['cli/**/*.ts', 'cli/**/*.mjs'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: '(^|/)(checker|models|scenarios)/(?!index\\.js$)',
              message: 'cli/ imports checker/, models/ and scenarios/ through their index.js only (export what it needs there).',
            },
          ],
        },
      ],
    },
  },
  {
    // The one exception: prewarm.ts starts the search's threads before anything else of faultline loads,
    // so it takes the worker pool from its own module (checker/index.js would load the whole engine first).
    files: ['cli/prewarm.ts'],
    rules: { 'no-restricted-imports': 'off' },
  },
);
