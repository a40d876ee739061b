import { createSchema, createYoga } from 'graphql-yoga';
import { describe, expect, it } from 'vitest';
import type { GatewayContext } from '../../src/context.js';
import { useGatewayContext } from '../../src/plugins/use-gateway-context.js';

/** A yoga server whose context has one lazy part, counting how often it is built. */
function server() {
  const built = { loaders: 0 };
  const yoga = createYoga({
    schema: createSchema<{ loaders: { name: string }; requestId: string }>({
      typeDefs: 'type Query { plain: String, fromLoaders: String, requestId: String }',
      resolvers: {
        Query: {
          plain: () => 'plain',
          fromLoaders: (_root, _args, ctx) => `${ctx.loaders.name} ${ctx.loaders.name}`,
          requestId: (_root, _args, ctx) => ctx.requestId,
        },
      },
    }),
    plugins: [
      useGatewayContext(async (initial) => {
        let loaders: { name: string } | undefined;
        return {
          requestId: String(initial['request'] ? 'http' : 'other'),
          get loaders() {
            built.loaders++;
            loaders ??= { name: 'loaders' };
            return loaders;
          },
        } as unknown as GatewayContext;
      }),
    ],
  });
  const query = async (q: string) => {
    const res = await yoga.fetch('http://gateway/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: q }),
    });
    return (await res.json()) as { data?: Record<string, unknown> };
  };
  return { built, query };
}

describe('the per-operation context keeps its lazy parts lazy', () => {
  it('builds nothing an operation does not read', async () => {
    const { built, query } = server();
    expect(await query('{ plain requestId __typename }')).toEqual({
      data: { plain: 'plain', requestId: 'http', __typename: 'Query' },
    });
    // yoga's own `context` option merges with Object.assign, which would have read the getter here.
    expect(built.loaders).toBe(0);
  });

  it('builds a part on first read, and resolvers see it', async () => {
    const { built, query } = server();
    expect(await query('{ fromLoaders }')).toEqual({ data: { fromLoaders: 'loaders loaders' } });
    expect(built.loaders).toBe(2);
  });
});
