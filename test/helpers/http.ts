import { expect } from 'vitest';

/** One error of a GraphQL response, as clients receive it. */
export interface ResponseError {
  message: string;
  path?: (string | number)[];
  extensions?: Record<string, unknown> & { code?: unknown; http?: { status?: unknown } };
}

/** A GraphQL response body, and how it came; `TData` is the shape of its `data`. */
export interface Answer<TData = Record<string, unknown>> {
  status: number;
  contentType: string;
  body: { data?: TData | null; errors?: ResponseError[] } & Record<string, unknown>;
}

export interface SendOptions {
  /** Bearer token; `null` sends no Authorization header. Default `demo-admin`. */
  token?: string | null;
  accept?: string;
  headers?: Record<string, string>;
}

function headersOf(options: SendOptions): Record<string, string> {
  const headers: Record<string, string> = {
    accept: options.accept ?? 'application/graphql-response+json',
    ...options.headers,
  };
  const token = options.token === undefined ? 'demo-admin' : options.token;
  if (token !== null) headers['authorization'] = `Bearer ${token}`;
  return headers;
}

async function answerOf<TData = Record<string, unknown>>(res: Response): Promise<Answer<TData>> {
  const text = await res.text();
  return {
    status: res.status,
    contentType: res.headers.get('content-type') ?? '',
    body: text ? (JSON.parse(text) as Answer<TData>['body']) : {},
  };
}

/**
 * POSTs a GraphQL request as JSON, the way client libraries do. `documentId` asks for a trusted document
 * by its id, in place of `query`.
 */
export async function post<TData = Record<string, unknown>>(
  url: string,
  request: {
    query?: string;
    documentId?: string;
    variables?: unknown;
    operationName?: string;
    extensions?: Record<string, unknown>;
  },
  options: SendOptions = {},
): Promise<Answer<TData>> {
  const res = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headersOf(options) },
    body: JSON.stringify(request),
  });
  return answerOf<TData>(res);
}

/** Sends a GraphQL request as a GET with the given search parameters (raw, so they may be malformed). */
export async function get(
  url: string,
  params: Record<string, string>,
  options: SendOptions = {},
): Promise<Answer> {
  const query = new URLSearchParams(params).toString();
  const res = await fetch(`${url}/graphql?${query}`, {
    headers: { 'x-graphql-yoga-csrf': '1', ...headersOf(options) },
  });
  return answerOf(res);
}

/**
 * POSTs a request asking for server-sent events and reads up to the first
 * `next` event: what an SSE client sees of a refusal or of the first payload.
 */
export async function postSse(
  url: string,
  request: { query: string; variables?: unknown },
  options: SendOptions = {},
): Promise<{ status: number; first: Answer['body'] | undefined }> {
  const controller = new AbortController();
  const res = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...headersOf({ accept: 'text/event-stream', ...options }),
    },
    body: JSON.stringify(request),
    signal: controller.signal,
  });
  const reader = (res.body as ReadableStream<Uint8Array>).getReader();
  const decoder = new TextDecoder();
  let buffered = '';
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return { status: res.status, first: undefined };
      buffered += decoder.decode(value, { stream: true });
      const event = /event: next\ndata: (.*)\n\n/.exec(buffered);
      if (event) return { status: res.status, first: JSON.parse(event[1] as string) as Answer['body'] };
    }
  } finally {
    controller.abort();
  }
}

/** The codes of a response's errors, in order. */
export const codesOf = (body: Answer<unknown>['body']) => (body.errors ?? []).map((e) => e.extensions?.code);

/**
 * Asserts the error contract on one answer: every error has a string code
 * and the HTTP status that code stands for; the response is a 200 when it
 * has `data`, else the highest of its errors' statuses.
 */
export function expectContract(answer: Answer<unknown>, statusOfCode: (code: string) => number): void {
  const errors = answer.body.errors ?? [];
  for (const error of errors) {
    expect(typeof error.extensions?.code, `code of "${error.message}"`).toBe('string');
    expect(error.extensions?.http?.status, `status of ${String(error.extensions?.code)}`).toBe(
      statusOfCode(error.extensions?.code as string),
    );
  }
  const expected =
    'data' in answer.body ? 200 : Math.max(...errors.map((e) => statusOfCode(e.extensions?.code as string)));
  expect(answer.status, 'HTTP status').toBe(expected);
}
