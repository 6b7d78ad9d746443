// Lint: typescript-eslint's recommended type-checked rules, and vitest's for the tests. The two
// rules a long-running daemon dies of (a promise left floating, a promise passed where a callback's
// result is ignored) are errors everywhere. `npm run lint` runs it; CI runs it before the tests.
import vitest from '@vitest/eslint-plugin';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', '*.config.js', 'ecosystem.config.js'] },
  {
    files: ['src/**/*.ts'],
    extends: [tseslint.configs.recommendedTypeChecked],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      // `_` marks a value taken to be left out (a rest sibling, an ignored parameter).
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', ignoreRestSiblings: true },
      ],
    },
  },
  {
    // Code Playwright runs inside TJ's page: the DOM's types are not in this Node project's lib, so its values are `any` there.
    files: ['src/platform/tj/dropzone.ts', 'src/platform/tj/tj-page.ts', 'src/platform/tj/tj-campaigns.ts'],
    rules: {
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
    },
  },
  {
    // Tests, their helpers and the benchmark: fakes and look-alikes.
    files: ['src/**/*.test.ts', 'src/test/**/*.ts', 'src/bench/**/*.ts'],
    rules: {
      // A fake implements an async interface with `async () => value`: awaiting nothing is its point.
      '@typescript-eslint/require-await': 'off',
      // Asymmetric matchers (`expect.any(String)`, `expect.objectContaining`) are typed `any`, and a
      // test reads JSON (a CLI's output, a simulator's answer) whose shape it then asserts.
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
    },
  },
  {
    files: ['src/**/*.test.ts'],
    plugins: { vitest },
    rules: {
      ...vitest.configs.recommended.rules,
      // Assertions live in named helpers (`expectInvariants`, `failure`…), which this rule cannot see into.
      'vitest/expect-expect': 'off',
      // `expect(value, 'what it is')`: the second argument names the case in a loop's failure.
      'vitest/valid-expect': ['error', { maxArgs: 2 }],
      // A setup hook checks the ground a test stands on (the simulator holds the drop) before the tests read it.
      'vitest/no-standalone-expect': ['error', { additionalTestBlockFunctions: ['beforeAll', 'beforeEach'] }],
      // `it.skipIf(!fixture)`: a clone without ../shared, or a filesystem without a feature, skips with its reason printed.
      'vitest/no-disabled-tests': 'off',
      // A table of cases asserts, for each case, what applies to it.
      'vitest/no-conditional-expect': 'off',
    },
  },
);
