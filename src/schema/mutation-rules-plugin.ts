import SchemaBuilder, { BasePlugin, type PothosOutputFieldConfig, type SchemaTypes } from '@pothos/core';
import type { GraphQLFieldResolver } from 'graphql';
import { InputValidationError } from '../domain/errors.js';
import { brokenRules, RULES_IN_RESOLVER } from './argument-rules.js';

/**
 * A Pothos plugin: every root mutation field checks the rules of its own
 * arguments (declared with the field, `argumentRules`) before its resolver
 * runs, and a broken rule is thrown as an {@link InputValidationError},
 * which the errors plugin (listed before this one, so its wrapper is the
 * outer one) turns into the mutation's `ValidationError` result. It applies
 * to every mutation of the builder, so a new one cannot forget it. Rules of
 * every other field refuse the whole operation before it runs
 * (src/graphql/plugins/use-argument-rules.ts).
 */
export class MutationRulesPlugin<Types extends SchemaTypes> extends BasePlugin<Types> {
  override onOutputFieldConfig(fieldConfig: PothosOutputFieldConfig<Types>): PothosOutputFieldConfig<Types> {
    if (fieldConfig.kind !== 'Mutation') return fieldConfig;
    return { ...fieldConfig, extensions: { ...fieldConfig.extensions, [RULES_IN_RESOLVER]: true } };
  }

  override wrapResolve(
    resolver: GraphQLFieldResolver<unknown, Types['Context'], object>,
    fieldConfig: PothosOutputFieldConfig<Types>,
  ): GraphQLFieldResolver<unknown, Types['Context'], object> {
    if (fieldConfig.kind !== 'Mutation') return resolver;
    return (parent, args, context, info) => {
      const problems = brokenRules(fieldConfig.extensions, args as Record<string, unknown>);
      if (problems) throw new InputValidationError(problems);
      return resolver(parent, args, context, info);
    };
  }
}

declare global {
  export namespace PothosSchemaTypes {
    interface Plugins<Types extends SchemaTypes> {
      mutationRules: MutationRulesPlugin<Types>;
    }
  }
}

SchemaBuilder.registerPlugin('mutationRules', MutationRulesPlugin);
