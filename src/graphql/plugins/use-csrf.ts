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

/** The content types a cross-site form may send without a CORS preflight (the Fetch standard's safelist). */
const FORM_TYPES = ['application/x-www-form-urlencoded', 'multipart/form-data', 'text/plain'];

/**
 * Whether a browser would have sent this request cross-site only after a
 * CORS preflight (which CORS_ORIGINS decides): a content type a form cannot
 * send, or a header no form or image sets.
 */
function preflighted(request: Request): boolean {
  const type = request.headers.get('content-type')?.toLowerCase();
  if (type && !FORM_TYPES.some((form) => type.startsWith(form))) return true;
  return CSRF_HEADERS.some((header) => request.headers.has(header));
}

/**
 * CSRF protection where it protects something: a request that would run on
 * ambient credentials (demo mode without a token, service credentials) must
 * prove it is not a cross-site form or image, with a content type a form
 * cannot send or one of {@link CSRF_HEADERS}, the rule of Apollo's and
 * yoga's CSRF prevention. A request with its own `Authorization: Bearer`
 * needs neither: a browser never attaches one by itself, and sending one
 * cross-site takes a CORS preflight. `Basic` credentials, which a browser
 * may attach, do not count. (yoga's CSRF plugin applies its rule to every
 * request: the gateway's exemption is its own, so the rule is written here.)
 */
export function useCsrf(): Plugin<object, { facts?: EdgeFacts }> {
  return {
    onRequestParse({ request, serverContext }) {
      if (serverContext.facts?.credentials.kind === 'bearer' || preflighted(request)) return;
      throw gatewayError(
        'FORBIDDEN',
        `Without an Authorization: Bearer header, a request must carry one of the headers ${CSRF_HEADERS.join(', ')}, ` +
          'or a Content-Type other than a form or text/plain: it could otherwise be a cross-site request forgery (CSRF).',
      );
    },
  };
}
