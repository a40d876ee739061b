import { useCSRFPrevention } from '@graphql-yoga/plugin-csrf-prevention';
import type { Plugin } from 'graphql-yoga';
import { gatewayError } from '../../domain/errors.js';
import type { EdgeFacts } from '../facts.js';

/** Any of these headers marks a request as deliberate (GraphQL clients, Apollo and yoga conventions). */
export const CSRF_HEADERS = [
  'x-graphql-yoga-csrf',
  'apollo-require-preflight',
  'x-apollo-operation-name',
  'graphql-preflight',
];

/**
 * CSRF protection where it protects something: a request that would run on
 * ambient credentials (demo mode without a token, service credentials) must
 * prove it is not a cross-site form or image, with a content type a form
 * cannot send or one of {@link CSRF_HEADERS} (yoga's rule). A request with
 * its own `Authorization: Bearer` needs neither: a browser never attaches
 * one by itself, and sending one cross-site takes a CORS preflight, which
 * CORS_ORIGINS decides. `Basic` credentials, which a browser may attach,
 * do not count.
 */
export function useCsrf(): Plugin<object, { facts?: EdgeFacts }> {
  const rule = useCSRFPrevention({ requestHeaders: CSRF_HEADERS });
  const refusal = () =>
    gatewayError(
      'FORBIDDEN',
      `Without an Authorization: Bearer header, a request must carry one of the headers ${CSRF_HEADERS.join(', ')}, ` +
        'or a Content-Type other than a form or text/plain: it could otherwise be a cross-site request forgery (CSRF).',
    );
  return {
    onRequestParse(payload) {
      if (payload.serverContext.facts?.credentials.kind === 'bearer') return;
      try {
        rule.onRequestParse?.(payload as never);
      } catch {
        throw refusal();
      }
    },
  };
}
