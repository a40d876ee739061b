import type { Plugin } from 'graphql-yoga';
import { type CredentialVerdicts, rateKeyOf } from '../edge/callers.js';
import type { RateLimiter } from '../edge/rate-limit.js';
import type { EdgeFacts } from './yoga.js';

/** The refusal of an operation over a caller's budget, in the shape of the error contract. */
export function rateLimitedBody(retryAfterMs: number, perMinute: number) {
  const seconds = Math.max(1, Math.ceil(retryAfterMs / 1000));
  return {
    seconds,
    body: {
      errors: [
        {
          message: `Rate limit of ${perMinute} operations per minute reached for these credentials; retry in ${seconds} s.`,
          extensions: { code: 'RATE_LIMITED', http: { status: 429 }, retryAfterSeconds: seconds },
        },
      ],
    },
  };
}

/**
 * Spends one operation of the caller's budget (RATE_LIMIT_PER_MINUTE) per
 * HTTP request, before the request is parsed; past it, 429 RATE_LIMITED with
 * `Retry-After`. The caller is a token Run:ai accepted, else the client
 * address (src/edge/callers.ts). WebSocket operations spend the same budget
 * (websocket.ts).
 */
export function useRateLimit(
  limiter: RateLimiter,
  perMinute: number,
  verdicts: CredentialVerdicts | undefined,
): Plugin<object, { facts?: EdgeFacts }> {
  const unknown: EdgeFacts = { credentials: { kind: 'none' }, address: 'unknown' };
  return {
    async onRequest({ serverContext, endResponse, fetchAPI }) {
      const facts = serverContext?.facts ?? unknown;
      const verdict = await limiter.consume(rateKeyOf(facts.credentials, facts.address, verdicts));
      if (verdict.allowed) return;
      const { seconds, body } = rateLimitedBody(verdict.retryAfterMs, perMinute);
      endResponse(
        new fetchAPI.Response(JSON.stringify(body), {
          status: 429,
          headers: { 'content-type': 'application/json; charset=utf-8', 'retry-after': String(seconds) },
        }),
      );
    },
  };
}
