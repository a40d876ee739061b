import type { GraphiQLOptions } from 'graphql-yoga';

/**
 * How GraphiQL opens at `GET /graphql` in a browser. Its assets are served
 * from the package (no CDN), so it works air-gapped.
 */
export function graphiqlOptions({ demo }: { demo: boolean }): GraphiQLOptions {
  return {
    title: 'nodepool-gateway',
    defaultQuery: demo
      ? '{\n  nodePools(first: 5) {\n    edges { node { id name clusterName phase } }\n  }\n}\n'
      : '{\n  nodePools(first: 5) {\n    edges { node { id name clusterName phase } }\n  }\n}\n',
  };
}
