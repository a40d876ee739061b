import type { Plugin } from 'graphql-yoga';
import type { GatewayContext } from '../context.js';

/**
 * Appends the errors resolvers deferred (`ctx.deferredErrors`) to the
 * result. GraphQL gives a field either a value or an error; a partial
 * metrics answer needs both: the series that came, and an error naming the
 * types that did not.
 */
export function useDeferredErrors(): Plugin<GatewayContext> {
  return {
    onExecute() {
      return {
        onExecuteDone({ args, result, setResult }) {
          const deferred = (args.contextValue as Partial<GatewayContext>).deferredErrors;
          if (!deferred?.length || Symbol.asyncIterator in result) return;
          setResult({ ...result, errors: [...(result.errors ?? []), ...(deferred as never[])] });
        },
      };
    },
  };
}
