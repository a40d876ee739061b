import type { CodegenConfig } from '@graphql-codegen/cli';
import { printSchema } from 'graphql';
import { schema } from './src/schema/index.js';

/**
 * GraphQL Code Generator (`npm run codegen`):
 * - prints the committed `schema.graphql` from the Pothos schema (a test
 *   fails when the committed file drifts from the code);
 * - types the test documents in `test/documents/` into `test/generated/`;
 * - types the reference app's documents (examples/pool-board) and writes
 *   their manifest of trusted documents, `persisted-documents.json`.
 */
const config: CodegenConfig = {
  schema: printSchema(schema),
  overwrite: true,
  // NodeNext resolution: generated relative imports need their .js extension.
  emitLegacyCommonJSImports: false,
  generates: {
    'schema.graphql': { plugins: ['schema-ast'], config: { includeDirectives: true } },
    'test/generated/': {
      documents: ['test/documents/*.graphql'],
      preset: 'client',
      presetConfig: { fragmentMasking: false },
      config: {
        useTypeImports: true,
        enumsAsTypes: true,
        scalars: {
          DateTime: 'string',
          UUID: 'string',
          JSONObject: 'Record<string, unknown>',
          NonEmptyString: 'string',
        },
      },
    },
    'examples/pool-board/src/gql/': {
      documents: ['examples/pool-board/src/documents.ts'],
      preset: 'client',
      presetConfig: { fragmentMasking: false, persistedDocuments: { hashAlgorithm: 'sha256' } },
      config: { useTypeImports: true, enumsAsTypes: true, scalars: { DateTime: 'string', UUID: 'string' } },
    },
  },
};

export default config;
