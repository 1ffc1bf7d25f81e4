// ESLint: type-aware rules that catch real defects here (floating and misused promises, unused
// variables) and the shape rules of docs/design.md (http/ reaches the store only through core, and
// no API folder imports another).
import tseslint from 'typescript-eslint';

const API_FOLDERS = ['admin', 'agent', 'consumer-v3', 'gms-v2', 'guest-v2', 'workflow'];

export default tseslint.config(
  { ignores: ['**/dist/**', '**/node_modules/**', '**/*.test.ts', '**/*.testkit.ts', 'packages/widgets/demo/**', 'bench/**', 'e2e/**', '.ci/**', '*.config.*'] },
  {
    files: ['packages/*/src/**/*.{ts,tsx}'],
    languageOptions: { parser: tseslint.parser, parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    plugins: { '@typescript-eslint': tseslint.plugin },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: { arguments: false, attributes: false } }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
    },
  },
  {
    files: ['packages/server/src/http/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['**/ports/store', '**/ports/store.js'], message: 'http/ reaches the store only through core (docs/design.md: Shape).' },
            { group: API_FOLDERS.map((f) => `../${f}/*`), message: 'An API folder never imports another; shared http code lives in http/ itself.' },
          ],
        },
      ],
    },
  },
  {
    // One write path (docs/design.md): sessions, their log, participants and interactions change only through core/log-writer.ts.
    files: ['packages/server/src/**/*.ts'],
    ignores: ['packages/server/src/core/log-writer.ts', 'packages/server/src/adapters/**', 'packages/server/src/metrics/**'],
    rules: {
      'no-restricted-syntax': [
        'error',
        {
          selector: 'CallExpression[callee.property.name=/^(appendMessage|insertSession|updateSession|insertParticipant|insertInteraction|updateInteraction)$/]',
          message: 'Writes to a session go through the log writer (LogWriter.write and LogTx; docs/design.md "One write path").',
        },
      ],
    },
  },
);
