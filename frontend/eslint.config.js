// ESLint (flat config): typescript-eslint's recommended rules and React's hooks rules over src/.
// `./lint.sh` runs it with tsc and the API-types check; warnings fail the lint too (--max-warnings 0).
import js from '@eslint/js';
import reactHooks from 'eslint-plugin-react-hooks';
import globals from 'globals';
import tseslint from 'typescript-eslint';
import { defineConfig } from 'eslint/config';

export default defineConfig([
  { ignores: ['dist/', 'node_modules/', '.nodeenv/', 'test-data/', 'src/core/api-schema.d.ts'] },
  {
    files: ['**/*.{ts,tsx}'],
    extends: [js.configs.recommended, tseslint.configs.recommended, reactHooks.configs.flat.recommended],
    languageOptions: { ecmaVersion: 2022, globals: { ...globals.browser, ...globals.node } },
    rules: {
      // useAsync(load, deps) re-runs like an effect: check its deps as React's own hooks are checked.
      'react-hooks/exhaustive-deps': ['warn', { additionalHooks: '^useAsync$' }],
      // `const { [id]: _, ...rest } = obj` drops a key; the underscore says it is unused on purpose.
      '@typescript-eslint/no-unused-vars': ['error', { varsIgnorePattern: '^_', argsIgnorePattern: '^_', ignoreRestSiblings: true }],
    },
  },
]);
