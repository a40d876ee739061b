import type { Plugin } from 'graphql-yoga';
import type { GatewayContext } from '../context.js';

/**
 * Adds the gateway's per-operation context to the one yoga builds. yoga's
 * `context` option merges with Object.assign, which reads every getter: the
 * context's lazy parts (the bound API, the loaders) would be built for every
 * operation, an introspection query or an idle subscription included. Here
 * they are copied as property descriptors, so they stay lazy.
 */
export function useGatewayContext(
  build: (initial: Record<string, unknown>) => GatewayContext | Promise<GatewayContext>,
): Plugin {
  const extend = (context: object, built: GatewayContext) => {
    Object.defineProperties(context, Object.getOwnPropertyDescriptors(built));
  };
  return {
    onContextBuilding({ context }) {
      const built = build(context as Record<string, unknown>);
      if (built instanceof Promise) return built.then((value) => extend(context, value));
      extend(context, built);
      return undefined;
    },
  };
}
