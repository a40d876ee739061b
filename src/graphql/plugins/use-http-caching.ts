import { createHash } from 'node:crypto';
import type { Plugin } from 'graphql-yoga';

/** The answers worth a validator: a query's that says how it may be kept (src/graphql/plugins/response-cache/response-cache.ts). */
const CACHEABLE = /^(private|public)\b/;

/**
 * Whether `If-None-Match` names this entity tag (RFC 9110 §13.1.2: weak
 * comparison, a list of tags, or `*`).
 */
function matches(ifNoneMatch: string | null, etag: string): boolean {
  if (!ifNoneMatch) return false;
  if (ifNoneMatch.trim() === '*') return true;
  return ifNoneMatch.split(',').some((tag) => tag.trim().replace(/^W\//, '') === etag);
}

/**
 * HTTP caching for clients. A query's JSON answer to a GET that may be kept
 * (`Cache-Control: private, max-age=…` or `…, no-cache`, set by the response
 * cache's plugin) gets an `ETag`, a hash of its body: equal answers have
 * equal tags on every replica, also after the cache entry expired. A GET
 * (a persisted document's too) whose `If-None-Match` names it is answered
 * `304 Not Modified` without a body; the operation has run through the
 * whole pipeline first (credentials, rate limit, limits), so a 304 tells a
 * caller nothing it could not read. Answers vary by `Authorization`.
 * Everything else yoga answers as JSON leaves with `Cache-Control: no-store`.
 */
export function useHttpCaching(): Plugin {
  return {
    async onResponse({ request, response, setResponse, fetchAPI }) {
      const type = response.headers.get('content-type');
      if (!type?.includes('json')) return;
      const control = response.headers.get('cache-control');
      const headers = new fetchAPI.Headers(response.headers);
      // Yoga's JSON answers carry their media type where copying their headers does not find it.
      headers.set('content-type', type);
      if (response.status !== 200 || !control || !CACHEABLE.test(control)) {
        if (control) return;
        headers.set('cache-control', 'no-store');
        setResponse(new fetchAPI.Response(response.body, { status: response.status, headers }));
        return;
      }
      // Only a GET can be revalidated: a POST answer keeps its Cache-Control and is not read again to be
      // hashed (that costs a distinct-caller query a sixth of its CPU).
      if (request.method !== 'GET') return;
      const body = await response.text();
      const etag = `"${createHash('sha256').update(body).digest('base64url').slice(0, 32)}"`;
      headers.set('etag', etag);
      headers.append('vary', 'Authorization');
      if (matches(request.headers.get('if-none-match'), etag)) {
        headers.delete('content-type');
        headers.delete('content-length');
        setResponse(new fetchAPI.Response(null, { status: 304, headers }));
        return;
      }
      setResponse(new fetchAPI.Response(body, { status: 200, headers }));
    },
  };
}
