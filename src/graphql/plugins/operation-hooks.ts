import type { GraphQLError } from 'graphql';
import type { Plugin } from 'graphql-yoga';

/** What envelop's `onExecute` and `onSubscribe` hand a plugin: the operation's arguments, and a way to end it. */
export type OperationHook<C extends object = object> =
  | Parameters<NonNullable<Plugin<C>['onExecute']>>[0]
  | Parameters<NonNullable<Plugin<C>['onSubscribe']>>[0];

/** Ends an operation before it runs, with these errors and no data: a request error. */
export function refuse<C extends object>(hook: OperationHook<C>, errors: readonly GraphQLError[]): void {
  hook.setResultAndStopExecution({ errors });
}
