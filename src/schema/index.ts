import { GraphQLDeferDirective, GraphQLStreamDirective } from '@graphql-tools/utils';
import { specifiedDirectives } from 'graphql';
import { builder } from './builder.js';
import './node-pool.js';
import './pool-metrics.js';
import './legacy-node-pool.js';
import './query.js';
import './errors.js';
import './mutation.js';
import './subscription.js';

/**
 * The executable GraphQL schema of the gateway. It declares `@defer` and
 * `@stream` (served by yoga's defer-stream plugin), so that schema.graphql,
 * and the code generators that read it, know them too.
 */
export const schema = builder.toSchema({
  sortSchema: false,
  directives: [...specifiedDirectives, GraphQLDeferDirective, GraphQLStreamDirective],
});
