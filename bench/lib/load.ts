import autocannon from 'autocannon';

export interface LoadFigures {
  requestsPerSec: number;
  p50Ms: number;
  p99Ms: number;
  errors: number;
  non2xx: number;
  requests: number;
}

/**
 * Runs autocannon against one request and returns its figures. With
 * `distinctCallers`, every request carries another caller's bearer token, so
 * no two requests can share an upstream call.
 */
export async function load(options: {
  url: string;
  method?: 'GET' | 'POST';
  headers?: Record<string, string>;
  body?: string;
  connections: number;
  durationSec: number;
  distinctCallers?: boolean;
}): Promise<LoadFigures> {
  let caller = 0;
  const result = await autocannon({
    url: options.url,
    method: options.method ?? 'GET',
    headers: options.headers ?? {},
    ...(options.body ? { body: options.body } : {}),
    ...(options.distinctCallers
      ? {
          requests: [
            {
              setupRequest: (request) => ({
                ...request,
                headers: { ...request.headers, authorization: `Bearer caller-${++caller}` },
              }),
            },
          ],
        }
      : {}),
    connections: options.connections,
    pipelining: 1,
    duration: options.durationSec,
  });
  return {
    requestsPerSec: result.requests.average,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    errors: result.errors + result.timeouts,
    non2xx: result.non2xx,
    requests: result.requests.total,
  };
}

/** A GraphQL POST for autocannon. */
export function graphqlRequest(url: string, query: string, token = 'demo-admin') {
  return {
    url: `${url}/graphql`,
    method: 'POST' as const,
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ query }),
  };
}

export const round = (n: number, digits = 2) => Math.round(n * 10 ** digits) / 10 ** digits;
