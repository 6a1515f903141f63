// ESLint for the whole tree (`npm run lint`, part of `npm test`). Formatting is Prettier's job
// (.prettierrc.json, `npm run format:check`); these rules catch bugs: unused code, accidental `any`,
// unreachable branches. The layer rules live in scripts/check-layers.mjs.
import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  {
    ignores: [
      'dist/**',
      'out/**',
      'node_modules/**',
      '**/generated/**',
      'bench/.data/**',
      'demo-output/**',
      'test-results/**',
      '.host-test/**',
      '.vscode-test/**',
      'bench/results/**',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      ecmaVersion: 2023,
      sourceType: 'module',
      // Node everywhere; browser too, since webview/ runs in the panel and the webview tier's .mjs
      // files hand functions to page.evaluate that run in Chromium.
      globals: { ...globals.node, ...globals.browser },
    },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
      // require() is how optional and native modules (onnxruntime-node, tfjs-node, usearch) are
      // loaded lazily, only on the path that needs them; an import would load them at start-up.
      '@typescript-eslint/no-require-imports': 'off',
      // A closure that reads a variable assigned later (a fallback that needs the model it belongs
      // to) is the reason for such a `let`.
      'prefer-const': ['error', { ignoreReadBeforeAssign: true }],
    },
  },
  {
    // TypeScript already resolves every name (and knows DOM vs Node types per tsconfig).
    files: ['**/*.ts'],
    rules: { 'no-undef': 'off' },
  },
);
