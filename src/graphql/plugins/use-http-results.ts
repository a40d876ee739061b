import { isAsyncIterable, mapAsyncIterator, type Plugin } from 'graphql-yoga';
import { type ErrorCode, gatewayError } from '../../domain/errors.js';
import { errorJson, responseStatusOf, statusOf, withStatusesInBody } from '../errors.js';
import { analysisOf } from '../operation-analysis.js';
import type { OperationHook } from './operation-hooks.js';

const STREAMED = /^(multipart\/mixed|text\/event-stream)\b/;

/**
 * Over HTTP (the context holds the request; graphql-ws operations have
 * none), refuses an operation whose result must stream (a subscription, or
 * a document with `@defer` or `@stream`) when the Accept header names no
 * media type that streams: NOT_ACCEPTABLE, naming what to accept.
 */
function refuseUnstreamable(hook: OperationHook, kind: 'incremental' | 'subscription') {
  const request = (hook.args.contextValue as { request?: Request }).request;
  if (!request) return;
  if (kind === 'incremental' && !analysisOf(hook.args)?.incremental) return;
  const accepted = (request.headers.get('accept') ?? '*/*').split(',').map((type) => type.trim());
  if (accepted.some((type) => STREAMED.test(type) || type.startsWith('*/*'))) return;
  throw gatewayError(
    'NOT_ACCEPTABLE',
    kind === 'subscription'
      ? 'A subscription over HTTP streams its events: send Accept: text/event-stream (or multipart/mixed), or subscribe over graphql-ws.'
      : 'This operation uses @defer or @stream, whose result comes in parts: send Accept: multipart/mixed or text/event-stream, or drop the directive.',
  );
}

/**
 * GraphQL over HTTP, for the error contract (src/graphql/errors.ts): the one
 * owner of an HTTP response's status. Errors arrive in the contract already
 * (the error contract plugin, and yoga's mask for the errors it catches);
 * here a response gets the status the contract gives its result
 * (`responseStatusOf`), and its errors keep their status in the body.
 * Requests yoga would answer without a body (a media type it cannot read
 * or write, malformed JSON in a GET) are answered in the contract too.
 */
export function useHttpResults(): Plugin {
  /** The status each HTTP request's response gets, decided when its result is known. */
  const statuses = new WeakMap<Request, number>();
  return {
    // A result only an incremental media type can carry, for a client that accepts none: refused
    // before it runs, so that it costs Run:ai nothing (yoga would run it, then answer an empty 406).
    onExecute(hook) {
      refuseUnstreamable(hook, 'incremental');
    },
    onSubscribe(hook) {
      refuseUnstreamable(hook, 'subscription');
    },
    onRequestParse({ request, requestParser, setRequestParser, endResponse, fetchAPI }) {
      // A POST in a media type no parser reads: yoga would answer an empty 415.
      if (!requestParser && request.method === 'POST') {
        return endResponse(
          contractResponse(fetchAPI, 'UNSUPPORTED_MEDIA_TYPE', `${UNSUPPORTED_MEDIA_TYPE}.`),
        );
      }
      if (!requestParser || request.method !== 'GET') return;
      // Yoga's GET parser reads `variables` and `extensions` with JSON.parse and lets its SyntaxError
      // through, which would be masked as a 500: it is the caller's malformed request.
      setRequestParser(async (request) => {
        try {
          return await requestParser(request);
        } catch (error) {
          if (!(error instanceof SyntaxError)) throw error;
          throw gatewayError(
            'BAD_REQUEST',
            'The request holds malformed JSON in `variables` or `extensions`.',
          );
        }
      });
    },
    onResultProcess({
      request,
      result,
      setResult,
      resultProcessor,
      acceptableMediaTypes,
      setResultProcessor,
    }) {
      if (!resultProcessor) {
        // No media type the client accepts can carry this result: yoga would answer an empty 406.
        return setResultProcessor((unsent, fetchAPI) => {
          // A stream nobody will read is ended, so that a subscription releases its poller.
          if (isAsyncIterable(unsent)) void unsent[Symbol.asyncIterator]().return?.();
          const offered = [...new Set(acceptableMediaTypes)].join(', ');
          return contractResponse(
            fetchAPI,
            'NOT_ACCEPTABLE',
            `No media type in the Accept header can carry this result; accept one of: ${offered}.`,
          );
        }, 'application/json');
      }
      if (Array.isArray(result)) return;
      if (isAsyncIterable(result)) {
        // SSE and multipart (@defer, @stream): the status went with the first payload.
        setResult(mapAsyncIterator(result, withStatusesInBody));
        return;
      }
      if (!result.errors?.length) return;
      statuses.set(request, responseStatusOf(result, acceptsOnlyJson(request)));
      setResult(withStatusesInBody(result));
    },
    onResponse({ request, response, setResponse, fetchAPI }) {
      const status = statuses.get(request);
      if (status === undefined || status === response.status) return;
      setResponse(new fetchAPI.Response(response.body, { status, headers: response.headers }));
    },
  };
}

const UNSUPPORTED_MEDIA_TYPE =
  'Send GraphQL as application/json (or application/graphql, multipart/form-data, application/x-www-form-urlencoded)';

/** A refusal answered before any GraphQL, in the shape of the error contract. */
function contractResponse(
  fetchAPI: { Response: typeof Response },
  code: ErrorCode,
  message: string,
): Response {
  const error = gatewayError(code, message);
  return new fetchAPI.Response(JSON.stringify({ errors: [errorJson(error)] }), {
    status: statusOf(error),
    headers: { 'content-type': 'application/json; charset=utf-8' },
  });
}

/**
 * GraphQL over HTTP asks servers to answer a client that accepts only the
 * legacy `application/json` with a 200 for every well-formed request, also
 * when its document or variables are refused.
 */
function acceptsOnlyJson(request: Request): boolean {
  const accept = request.headers.get('accept') ?? '';
  return (
    accept.includes('application/json') &&
    !accept.includes('application/graphql-response+json') &&
    !accept.includes('*/*')
  );
}
