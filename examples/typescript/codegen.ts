// graphql-codegen: types for the operations in src/ from netra's full schema.
// Regenerate with `npm run codegen` after changing an operation.
import type { CodegenConfig } from '@graphql-codegen/cli';

const config: CodegenConfig = {
  schema: '../../schema.graphql',
  documents: ['src/**/*.ts', '!src/gql/**'],
  ignoreNoDocuments: false,
  generates: {
    'src/gql/': {
      preset: 'client',
      config: {
        // netra's scalars arrive as RFC 3339 strings: Date is YYYY-MM-DD,
        // DateTime is UTC with milliseconds (2024-11-27T08:15:00.000Z).
        scalars: { Date: 'string', DateTime: 'string' },
        enumsAsTypes: true,
        useTypeImports: true,
      },
      presetConfig: { fragmentMasking: false, persistedDocuments: true },
    },
  },
};

export default config;
