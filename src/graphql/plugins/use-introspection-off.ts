import { GraphQLError, NoSchemaIntrospectionCustomRule, type ValidationRule } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import type { EdgeFacts } from '../facts.js';

/**
 * Refuses federation's `_service` as graphql-js refuses `__schema` and
 * `__type` when introspection is off: its `sdl` is the whole schema.
 */
const noServiceSdl: ValidationRule = (context) => ({
  Field(node) {
    if (node.name.value !== '_service' || context.getParentType() !== context.getSchema().getQueryType())
      return;
    context.reportError(
      new GraphQLError(
        'GraphQL introspection has been disabled, but the requested query contained the field "_service".',
        { nodes: node },
      ),
    );
  },
});

/**
 * INTROSPECTION=false: `__schema`, `__type` and the subgraph's `_service`
 * are refused in validation (GRAPHQL_VALIDATION_FAILED, before anything
 * runs) on every transport, graphql-ws included: the decision is the
 * configuration's, not the HTTP request's (yoga's disable-introspection
 * plugin decides while parsing an HTTP request, which a WebSocket operation
 * never goes through). The federation router's secret still reads
 * `_service`: composition needs it.
 */
export function useIntrospectionOff(): Plugin {
  return {
    onValidate({ addValidationRule, context }) {
      addValidationRule(NoSchemaIntrospectionCustomRule);
      if ((context as { facts?: EdgeFacts }).facts?.router !== true) addValidationRule(noServiceSdl);
    },
  };
}
