import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { type DocumentNode, Kind, parse } from 'graphql';
import { createGraphQLError } from 'graphql-yoga';

/** APQ documents kept by one gateway, most recently used first out last. */
const APQ_CAPACITY = 1_000;

/** The parameters of a GraphQL request that name its document. */
export interface DocumentParams {
  query?: string | null | undefined;
  extensions?: Record<string, unknown> | null | undefined;
  /** The trusted-documents id of GraphQL over HTTP's proposal, as graphql-codegen's client preset sends it. */
  documentId?: string | null | undefined;
}

/** What the gateway accepts as a document. */
export interface TrustedDocumentsOptions {
  /** A manifest: hash → document, as graphql-codegen's client preset (`persisted-documents.json`) and relay-compiler emit it. */
  manifest?: ReadonlyMap<string, string> | undefined;
  /** Only documents of the manifest run: a document sent in full is refused, and APQ registers nothing. */
  persistedOnly: boolean;
}

/** A manifest of trusted documents, read and checked. */
export interface Manifest {
  /** Hash → document. */
  documents: Map<string, string>;
  /** The operation names its documents define. */
  operationNames: Set<string>;
}

/**
 * Reads a manifest of persisted documents: a JSON object of hash →
 * document. Every document must parse; the gateway refuses to start on a
 * broken manifest rather than refuse its operations one by one later.
 */
export function loadManifest(path: string): Manifest {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new Error(`PERSISTED_DOCUMENTS: cannot read ${path}: ${(error as Error).message}`);
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new Error(`PERSISTED_DOCUMENTS: ${path} must hold a JSON object of hash → document`);
  }
  const manifest: Manifest = { documents: new Map(), operationNames: new Set() };
  for (const [hash, document] of Object.entries(raw)) {
    if (typeof document !== 'string')
      throw new Error(`PERSISTED_DOCUMENTS: the entry ${hash} is not a string`);
    let parsed: DocumentNode;
    try {
      parsed = parse(document);
    } catch (error) {
      throw new Error(
        `PERSISTED_DOCUMENTS: the document ${hash} does not parse: ${(error as Error).message}`,
      );
    }
    for (const definition of parsed.definitions) {
      if (definition.kind === Kind.OPERATION_DEFINITION && definition.name) {
        manifest.operationNames.add(definition.name.value);
      }
    }
    manifest.documents.set(hash, document);
  }
  return manifest;
}

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

function refusal(code: string, status: number, message: string) {
  return createGraphQLError(message, { extensions: { code, http: { status } } });
}

/** The id a request names its persisted document by: `documentId`, or APQ's `persistedQuery.sha256Hash`. */
export function persistedIdOf(params: DocumentParams): string | undefined {
  if (typeof params.documentId === 'string') return params.documentId;
  const persisted = params.extensions?.['persistedQuery'] as
    | { version?: unknown; sha256Hash?: unknown }
    | undefined;
  return persisted?.version === 1 && typeof persisted.sha256Hash === 'string'
    ? persisted.sha256Hash
    : undefined;
}

/**
 * The documents the gateway runs: those of a manifest (trusted documents),
 * and, unless only those may run, any document, with Apollo's automatic
 * persisted queries: a client first sends only a document's SHA-256; when
 * the gateway does not know it (PERSISTED_QUERY_NOT_FOUND), the client
 * sends the document with its hash, which the gateway checks and keeps (the
 * last {@link APQ_CAPACITY} documents).
 */
export class TrustedDocuments {
  private readonly apq = new Map<string, string>();

  constructor(private readonly options: TrustedDocumentsOptions) {}

  /** Whether documents sent in full may run. */
  get allowsArbitrary(): boolean {
    return !this.options.persistedOnly;
  }

  /** The document a persisted id stands for, if known. */
  lookup(id: string): string | undefined {
    const trusted = this.options.manifest?.get(id);
    if (trusted !== undefined) return trusted;
    const learned = this.apq.get(id);
    if (learned !== undefined) {
      // Most recently used last: the first key is the one to evict.
      this.apq.delete(id);
      this.apq.set(id, learned);
    }
    return learned;
  }

  /**
   * A full document sent with its APQ hash: checked and kept for the next
   * request that sends the hash alone. Refused when only trusted documents
   * run, or when the hash is not the document's.
   */
  register(params: DocumentParams): void {
    const id = persistedIdOf(params);
    if (!params.query || id === undefined) return;
    if (this.options.persistedOnly) return;
    if (sha256(params.query) !== id) {
      throw refusal(
        'PERSISTED_QUERY_HASH_MISMATCH',
        400,
        'The persisted query hash is not the SHA-256 of the query sent with it.',
      );
    }
    if (this.options.manifest?.has(id) || this.apq.has(id)) return;
    this.apq.set(id, params.query);
    if (this.apq.size > APQ_CAPACITY) this.apq.delete(this.apq.keys().next().value as string);
  }

  /**
   * The document text a request runs, for transports outside yoga's HTTP
   * pipeline (graphql-ws): a persisted id resolves through the manifest and
   * the APQ store; a full document runs only when arbitrary documents may.
   */
  resolve(params: DocumentParams): string {
    const id = persistedIdOf(params);
    if (params.query) {
      if (!this.allowsArbitrary) throw this.persistedOnlyError();
      this.register(params);
      return params.query;
    }
    if (id === undefined)
      throw refusal('BAD_REQUEST', 400, 'The request has neither a query nor a persisted document id.');
    const document = this.lookup(id);
    if (document === undefined) throw this.notFoundError();
    return document;
  }

  notFoundError() {
    return refusal('PERSISTED_QUERY_NOT_FOUND', 404, 'PersistedQueryNotFound');
  }

  persistedOnlyError() {
    return refusal(
      'PERSISTED_QUERY_ONLY',
      400,
      'This gateway runs only its trusted documents: send a persisted document id instead of a query.',
    );
  }
}
