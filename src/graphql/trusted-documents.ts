import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { type DocumentNode, Kind, parse } from 'graphql';
import { LRUCache } from 'lru-cache';
import { gatewayError } from '../domain/errors.js';
import type { SentCredentials } from './facts.js';

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
  /** Bounds of the APQ store. */
  apq?: ApqLimits | undefined;
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
 * Whose APQ documents a request sees: those its own token registered, or,
 * for callers on ambient credentials (demo mode, service credentials), those
 * of every such caller. Credentials that cannot run anything see none.
 */
export function apqNamespaceOf(credentials: SentCredentials): string | undefined {
  if (credentials.kind === 'bearer') return credentials.scope;
  return credentials.kind === 'none' ? 'ambient' : undefined;
}

/** Bounds of the APQ store. */
export interface ApqLimits {
  /** The largest document kept; a larger one runs, but is not kept. */
  maxDocumentBytes: number;
  /** Bytes of documents kept in all; the least recently used go first. */
  maxBytes: number;
}

export const DEFAULT_APQ_LIMITS: ApqLimits = { maxDocumentBytes: 32 * 1024, maxBytes: 8 * 1024 * 1024 };

/**
 * The documents the gateway runs: those of a manifest (trusted documents),
 * and, unless only those may run, any document, with Apollo's automatic
 * persisted queries: a client first sends only a document's SHA-256; when
 * the gateway does not know it (PERSISTED_QUERY_NOT_FOUND), the client
 * sends the document with its hash, which the gateway checks and keeps.
 *
 * A document is kept only once it has parsed and validated and its
 * operation is about to run with credentials ({@link register}), and it is
 * kept for the credentials that sent it: another tenant sending the hash
 * alone gets PERSISTED_QUERY_NOT_FOUND, so the store tells no one what
 * others run. The store is bounded in bytes, in all and per namespace.
 */
export class TrustedDocuments {
  private readonly apq: LRUCache<string, string>;
  /** Bytes each namespace holds, so that one tenant cannot push every other's documents out. */
  private readonly held = new Map<string, number>();
  private readonly limits: ApqLimits;
  /** The manifest's documents: replaced whole when the manifest is reloaded. */
  private manifest: ReadonlyMap<string, string> | undefined;

  constructor(private readonly options: TrustedDocumentsOptions) {
    this.limits = options.apq ?? DEFAULT_APQ_LIMITS;
    this.manifest = options.manifest;
    this.apq = new LRUCache({
      maxSize: this.limits.maxBytes,
      sizeCalculation: (document, key) => document.length + key.length,
      dispose: (document, key) => this.forget(key, document.length + key.length),
    });
  }

  /** Whether documents sent in full may run. */
  get allowsArbitrary(): boolean {
    return !this.options.persistedOnly;
  }

  /** Bytes of APQ documents kept now. */
  get apqBytes(): number {
    return this.apq.calculatedSize;
  }

  /** Runs the documents of a reloaded manifest from the next request on. */
  replaceManifest(documents: ReadonlyMap<string, string>): void {
    this.manifest = documents;
  }

  /** The manifest's number of documents. */
  get manifestSize(): number {
    return this.manifest?.size ?? 0;
  }

  /** The document a persisted id stands for, if the manifest or this namespace's APQ documents know it. */
  lookup(id: string, namespace: string | undefined): string | undefined {
    const trusted = this.manifest?.get(id);
    if (trusted !== undefined) return trusted;
    return namespace === undefined ? undefined : this.apq.get(`${namespace}\n${id}`);
  }

  /**
   * Refuses, before anything parses it, a document sent with an APQ hash
   * that is not its SHA-256 (PERSISTED_QUERY_HASH_MISMATCH).
   */
  checkHash(params: DocumentParams): void {
    const id = persistedIdOf(params);
    if (!params.query || id === undefined || typeof params.documentId === 'string') return;
    if (sha256(params.query) !== id) {
      throw gatewayError(
        'PERSISTED_QUERY_HASH_MISMATCH',
        'The persisted query hash is not the SHA-256 of the query sent with it.',
      );
    }
  }

  /**
   * Keeps a document sent with its APQ hash for the next request of the
   * same namespace that sends the hash alone. Call it once the document has
   * parsed and validated and its operation runs with credentials. Nothing is
   * kept when only trusted documents run, when the document is larger than
   * `maxDocumentBytes`, or when its namespace holds its share of the store.
   */
  register(params: DocumentParams, namespace: string | undefined): void {
    const id = persistedIdOf(params);
    if (!params.query || id === undefined || namespace === undefined || !this.allowsArbitrary) return;
    if (params.query.length > this.limits.maxDocumentBytes || this.manifest?.has(id)) return;
    if (sha256(params.query) !== id) return;
    const key = `${namespace}\n${id}`;
    if (this.apq.has(key)) return;
    const size = params.query.length + key.length;
    const held = this.held.get(namespace) ?? 0;
    if (held + size > this.limits.maxBytes / 8) return;
    this.held.set(namespace, held + size);
    this.apq.set(key, params.query);
  }

  /**
   * The document text a request runs: a persisted id resolves through the
   * manifest and the namespace's APQ documents; a document sent in full is
   * checked against its APQ hash, and runs only when arbitrary documents may
   * (or it is the manifest's document of the id sent with it).
   */
  resolve(params: DocumentParams, namespace: string | undefined): string {
    const id = persistedIdOf(params);
    if (params.query) {
      this.checkHash(params);
      if (this.allowsArbitrary) return params.query;
      const trusted = id === undefined ? undefined : this.manifest?.get(id);
      if (trusted === undefined) throw this.persistedOnlyError();
      return trusted;
    }
    if (id === undefined)
      throw gatewayError('BAD_REQUEST', 'The request has neither a query nor a persisted document id.');
    const document = this.lookup(id, namespace);
    if (document === undefined) throw this.notFoundError();
    return document;
  }

  notFoundError() {
    return gatewayError('PERSISTED_QUERY_NOT_FOUND', 'PersistedQueryNotFound');
  }

  persistedOnlyError() {
    return gatewayError(
      'PERSISTED_QUERY_ONLY',
      'This gateway runs only its trusted documents: send a persisted document id instead of a query.',
    );
  }

  private forget(key: string, size: number): void {
    const namespace = key.slice(0, key.indexOf('\n'));
    const left = (this.held.get(namespace) ?? size) - size;
    if (left > 0) this.held.set(namespace, left);
    else this.held.delete(namespace);
  }
}
