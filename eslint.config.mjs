import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'var/**', '.venv-temporal/**', 'coverage/**', 'migrations/Migration*.ts'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      globals: {
        process: 'readonly',
        console: 'readonly',
        require: 'readonly',
        module: 'writable',
        __dirname: 'readonly',
        Buffer: 'readonly',
        setTimeout: 'readonly',
        clearTimeout: 'readonly',
        setInterval: 'readonly',
        clearInterval: 'readonly',
        fetch: 'readonly',
        Headers: 'readonly',
        AbortController: 'readonly',
      },
    },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-require-imports': 'off',
    },
  },
  {
    files: ['tests/**/*.ts', 'bench/**/*.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'off', '@typescript-eslint/no-non-null-assertion': 'off' },
  },
  {
    // Workflow code runs in Temporal's deterministic sandbox: it imports the contract and, as types only,
    // the activities and entities it names; nothing that does I/O or wires processes.
    files: ['workflows/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['node:*', 'fs', 'path', 'crypto', '@mikro-orm/*', 'koa', 'pino'],
              message: 'Workflow code must stay deterministic: no I/O modules.',
            },
            {
              group: ['**/sync', '**/sync/**', '**/api', '**/api/**', '**/worker', '**/worker/**', '**/runtime/**'],
              message: 'Workflow code imports only workflows/contract (and activities or entities as types).',
            },
            {
              group: ['**/activities', '**/activities/**', '**/entities/**', '**/db/**', '**/odoo/**'],
              allowTypeImports: true,
              message: 'Workflow code may name activities and entities only with `import type`.',
            },
          ],
        },
      ],
    },
  },
  {
    // Outside workflows/, Temporal is reached through the contract: importing a workflow implementation would
    // load workflow code into the API or the worker's main thread. The worker imports nothing from workflows/.
    files: ['**/*.ts'],
    ignores: ['workflows/**', 'worker/**'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: '(^|/)workflows(/(?!contract(/|$)).*)?$',
              message: 'Import the Temporal contract (workflows/contract), never a workflow implementation.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['worker/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['**/workflows', '**/workflows/**'],
              message: 'The worker loads workflow code by path or prebuilt bundle, never by import.',
            },
          ],
        },
      ],
    },
  },
);
