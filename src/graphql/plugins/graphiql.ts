import type { GraphiQLOptions } from 'graphql-yoga';

/** A small first query, and the one of every new tab. */
const SIMPLE_QUERY = '{\n  nodePools(first: 5) {\n    edges { node { id name clusterName phase } }\n  }\n}\n';

/** Demo mode's first tab: the dashboard query (see test/documents/dashboard.graphql) over fewer pools. */
export const DEMO_DASHBOARD_QUERY = `# A dashboard: one page of node pools with their phase and three metrics each.
# Its variables are in the Variables pane below; run it with the ▶ button (Ctrl-Enter).
query Dashboard($first: Int!, $window: MetricsWindow) {
  nodePools(first: $first) {
    totalCount
    pageInfo {
      hasNextPage
      endCursor
    }
    edges {
      node {
        id
        runaiId
        name
        clusterName
        phase
        gpu: metrics(types: [GPU_UTILIZATION], window: $window) {
          series {
            type
            latest {
              value
            }
            samples {
              timestamp
              value
            }
          }
        }
        alloc: metrics(types: [ALLOCATED_GPU, TOTAL_GPU], window: $window) {
          series {
            type
            latest {
              value
            }
          }
          missingTypes
        }
        cpu: metrics(types: [CPU_UTILIZATION], window: $window) {
          series {
            type
            latest {
              value
            }
          }
        }
      }
    }
  }
}
`;

/** The variables of the demo dashboard: 10 of the 12 demo pools (so there is a next page), 6 samples each. */
export const DEMO_DASHBOARD_VARIABLES = `${JSON.stringify({ first: 10, window: { samples: 6 } }, null, 2)}\n`;

/**
 * One of the headers listed in CSRF_HEADERS (src/graphql/plugins/use-csrf.ts). GraphiQL sends it on every request: its
 * subscriptions go out as GET requests for `text/event-stream`, which carry no JSON content type and so are
 * "simple" requests that the CSRF prevention plugin refuses (403) without one of those headers.
 */
const CSRF_HEADER = 'x-graphql-yoga-csrf';

/**
 * yoga's GraphiQL options, plus `variables`: yoga's page passes it to GraphiQL as its initial variables,
 * though its typings leave it out. GraphiQL 5 ignores the variables of `defaultTabs` on a first visit (it
 * starts the editor with its initial variables, or nothing), so the demo variables go there too.
 */
export type GatewayGraphiQLOptions = GraphiQLOptions & { variables?: string };

/**
 * How GraphiQL opens at `GET /graphql` in a browser. Its assets are served from the package (no CDN), so it
 * works air-gapped. In demo mode it opens on the dashboard query with its variables; a `?query=` in the URL
 * still takes the editor over, and new tabs start with a small query.
 */
export function graphiqlOptions({ demo }: { demo: boolean }): GatewayGraphiQLOptions {
  return {
    title: 'nodepool-gateway',
    defaultQuery: SIMPLE_QUERY,
    ...(demo
      ? {
          defaultTabs: [{ query: DEMO_DASHBOARD_QUERY, variables: DEMO_DASHBOARD_VARIABLES }],
          variables: DEMO_DASHBOARD_VARIABLES,
        }
      : {}),
    // Subscriptions over HTTP (GraphQL over SSE on /graphql), so they carry the headers pane, Authorization
    // included, like queries and mutations do (graphql-ws would take credentials from connection params).
    subscriptionsProtocol: 'GRAPHQL_SSE',
    // The page proves its requests deliberate, as any GraphQL client must; the server's rule is unchanged.
    additionalHeaders: { [CSRF_HEADER]: 'graphiql' },
  };
}
