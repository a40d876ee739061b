import type { Plugin } from 'graphql-yoga';
import type { Admission } from '../admission.js';
import type { EdgeFacts } from '../facts.js';
import type { DocumentParams } from '../trusted-documents.js';

/** What yoga's server context holds for a request: what the edge read of it. */
interface Edge {
  facts?: EdgeFacts;
}

const NO_FACTS: EdgeFacts = { credentials: { kind: 'none' }, address: 'unknown' };

/**
 * The parameters with the `documentId` of a GET's query string: yoga's GET
 * parser reads only the four parameters of GraphQL over HTTP, and the
 * persisted-documents convention sends the id beside them.
 */
function withDocumentIdOf(request: Request, params: DocumentParams): DocumentParams {
  if (request.method !== 'GET' || params.documentId !== undefined) return params;
  const documentId = new URL(request.url, 'http://gateway').searchParams.get('documentId');
  return documentId === null ? params : { ...params, documentId };
}

/**
 * The admission over HTTP and SSE: one charge per HTTP request before its
 * body is read (a batch or a malformed body costs one operation too), then
 * each operation's document resolved before yoga parses it. Every
 * transport's operations register their APQ documents as they run.
 */
export function useAdmission(admission: Admission): Plugin<object, Edge> {
  // Once the operation has run: its calls to Run:ai are what vouch for its token.
  const remember = ({ args }: { args: { contextValue: unknown } }) => {
    const context = args.contextValue as Parameters<Admission['remember']>[0];
    const keep = () => void admission.remember(context);
    return { onExecuteDone: keep, onSubscribeResult: keep };
  };
  return {
    async onRequestParse({ serverContext }) {
      await admission.charge(serverContext.facts ?? NO_FACTS);
    },
    onParams({ params, setParams, context, request }) {
      const facts = (context as Edge).facts ?? NO_FACTS;
      const query = admission.documentOf(withDocumentIdOf(request, params as DocumentParams), facts);
      // Only the four parameters yoga knows go on: `documentId` has been read.
      if (query !== params.query || 'documentId' in params) {
        const { operationName, variables, extensions } = params;
        setParams({ query: query ?? undefined, operationName, variables, extensions });
      }
    },
    onExecute: remember,
    onSubscribe: remember,
  };
}
