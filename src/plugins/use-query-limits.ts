import { EnvelopArmorPlugin } from '@escape.tech/graphql-armor';
import type { Plugin } from 'graphql-yoga';

export interface QueryLimits {
  maxDepth: number;
  maxCost: number;
  maxAliases: number;
  maxTokens: number;
  maxDirectives: number;
  /** Replace "Did you mean …?" suggestions, which reveal the schema to probes. */
  hideFieldSuggestions: boolean;
}

/**
 * graphql-armor's limits on depth, cost, aliases, tokens and directives.
 * Refusals are GraphQL validation errors (HTTP 400) whose message names the
 * limit and the allowed value, so a client knows what to change.
 */
export function useQueryLimits(limits: QueryLimits): Plugin {
  return EnvelopArmorPlugin({
    maxDepth: { n: limits.maxDepth, exposeLimits: true, ignoreIntrospection: true, flattenFragments: true },
    costLimit: { maxCost: limits.maxCost, exposeLimits: true, ignoreIntrospection: true },
    maxAliases: { n: limits.maxAliases, exposeLimits: true },
    maxTokens: { n: limits.maxTokens, exposeLimits: true },
    maxDirectives: { n: limits.maxDirectives, exposeLimits: true },
    blockFieldSuggestion: { enabled: limits.hideFieldSuggestions },
  }) as Plugin;
}
