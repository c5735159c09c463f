// Parley's lint: typescript-eslint's recommended rules with type information.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'coverage/**', 'data/**', '**/*.js', '**/*.mjs'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports', disallowTypeAnnotations: false }],
      'no-constant-condition': ['error', { checkLoops: false }],
    },
  },
  {
    // A projection revises a document with revised(doc, fields), not { ...doc, field }: Node 20's V8 builds a
    // literal that spreads and then adds keys through a slow runtime path (decision 0059). A key named by a user
    // (a member map's user id) keeps the spread, which defines rather than assigns it: disable the rule there.
    files: ['projections/**/*.ts'],
    ignores: ['**/*.spec.ts', 'projections/testing/**'],
    rules: {
      'no-restricted-syntax': [
        'error',
        {
          selector: 'ObjectExpression[properties.length>1] > SpreadElement:first-child',
          message: 'Write revised(doc, { ... }) (libs/projection/revised.ts, decision 0059), not { ...doc, ... }.',
        },
      ],
    },
  },
  {
    // Nest resolves constructor parameters by their runtime types: those imports must stay values.
    files: ['apps/**/*.ts'],
    rules: { '@typescript-eslint/consistent-type-imports': 'off' },
  },
);
