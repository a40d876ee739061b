/**
 * `npm run codegen` (last step): prints the federation subgraph's schema,
 * as the supergraph's composition reads it (`_service { sdl }`), into the
 * committed `subgraph.graphql`. A test fails when the file drifts.
 */
import { writeFileSync } from 'node:fs';
import { printSubgraphSchema } from '@apollo/subgraph';
import { subgraphSchema } from '../src/schema/subgraph.js';

writeFileSync(
  new URL('../subgraph.graphql', import.meta.url),
  `${printSubgraphSchema(subgraphSchema).trim()}\n`,
);
