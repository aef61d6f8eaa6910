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
        // netra's custom scalars arrive as ISO 8601 strings.
        scalars: { Date: 'string', DateTime: 'string', NaiveDate: 'string' },
        enumsAsTypes: true,
        useTypeImports: true,
      },
      presetConfig: { fragmentMasking: false, persistedDocuments: true },
    },
  },
};

export default config;
