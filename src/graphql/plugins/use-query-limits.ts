import { EnvelopArmorPlugin } from '@escape.tech/graphql-armor';
import type { GraphQLError } from 'graphql';
import type { Plugin } from 'graphql-yoga';

/** graphql-armor's limits by default (tuning knobs: docs/configuration.md). */
export const QUERY_LIMIT_DEFAULTS = {
  maxDepth: 12,
  maxAliases: 50,
  maxTokens: 2_000,
  maxDirectives: 20,
} as const;

export interface QueryLimits {
  maxDepth: number;
  maxAliases: number;
  maxTokens: number;
  maxDirectives: number;
  /** Replace "Did you mean …?" suggestions, which reveal the schema to probes. */
  hideFieldSuggestions: boolean;
}

/**
 * Gives a refusal its place in the error contract. graphql-armor throws it
 * from the parser or a validation rule, where it would otherwise reach the
 * client as an uncoded error.
 */
const asLimitError = (_context: unknown, error: GraphQLError) => {
  Object.assign(error.extensions, { code: 'QUERY_LIMIT_EXCEEDED', http: { status: 400 } });
};

/**
 * graphql-armor's limits on depth, aliases, tokens and directives.
 * A refusal is a QUERY_LIMIT_EXCEEDED error (HTTP 400) whose message names
 * the limit and the allowed value, so a client knows what to change.
 */
export function useQueryLimits(limits: QueryLimits): Plugin {
  const onReject = [asLimitError];
  return EnvelopArmorPlugin({
    maxDepth: {
      n: limits.maxDepth,
      exposeLimits: true,
      ignoreIntrospection: true,
      flattenFragments: true,
      onReject,
    },
    // The cost limit is the gateway's own (use-cost-limit.ts): armor's reads literal page sizes only.
    costLimit: { enabled: false },
    maxAliases: { n: limits.maxAliases, exposeLimits: true, onReject },
    maxTokens: { n: limits.maxTokens, exposeLimits: true, onReject },
    maxDirectives: { n: limits.maxDirectives, exposeLimits: true, onReject },
    blockFieldSuggestion: { enabled: limits.hideFieldSuggestions },
  }) as Plugin;
}
