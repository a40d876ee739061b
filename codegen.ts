import type { CodegenConfig } from '@graphql-codegen/cli';
import { printSchema } from 'graphql';
import { schema } from './src/schema/index.js';

/**
 * GraphQL Code Generator: prints the committed `schema.graphql` from the
 * Pothos schema. Run with `npm run codegen`; a test fails when the committed
 * file drifts from the code.
 */
const config: CodegenConfig = {
  schema: printSchema(schema),
  overwrite: true,
  generates: {
    'schema.graphql': { plugins: ['schema-ast'], config: { includeDirectives: true } },
  },
};

export default config;
