import { eventually } from '../helpers/eventually.js';
import type { GraphQLRequest } from './schema-operations.js';

/** What a client can tell apart in an answer: what the arguments-as-variables promise compares. */
export interface Outcome {
  status: number;
  data: unknown;
  /** `errors[].extensions.code`, sorted: graphql-js lists errors in the order resolvers fail, not a fixed one. */
  codes: (string | null)[];
  /** Subscriptions only: whether the gateway held the stream open (it was accepted and waits for changes). */
  open?: boolean;
  /** `errors[].message`, to explain a difference; not compared (they may quote the operation). */
  messages: string[];
}

/** What differs between two outcomes, one line per compared part; empty when they agree. */
export function differences(expected: Outcome, actual: Outcome): string[] {
  const lines: string[] = [];
  if (expected.status !== actual.status) lines.push(`status: ${expected.status} → ${actual.status}`);
  if (expected.open !== actual.open) lines.push(`held open: ${expected.open} → ${actual.open}`);
  const [codesBefore, codesAfter] = [JSON.stringify(expected.codes), JSON.stringify(actual.codes)];
  if (codesBefore !== codesAfter) lines.push(`error codes: ${codesBefore} → ${codesAfter}`);
  const where = firstDifference(expected.data, actual.data, 'data');
  if (where) lines.push(where);
  return lines;
}

const brief = (value: unknown) => {
  const text = JSON.stringify(value) ?? 'undefined';
  return text.length > 120 ? `${text.slice(0, 120)}…` : text;
};

/** The first path where two JSON values differ, with both values there. */
function firstDifference(a: unknown, b: unknown, path: string): string | undefined {
  if (a === b) return undefined;
  const bothObjects = typeof a === 'object' && typeof b === 'object' && a !== null && b !== null;
  if (!bothObjects || Array.isArray(a) !== Array.isArray(b)) return `${path}: ${brief(a)} → ${brief(b)}`;
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  for (const key of keys) {
    const found = firstDifference(
      (a as Record<string, unknown>)[key],
      (b as Record<string, unknown>)[key],
      `${path}.${key}`,
    );
    if (found) return found;
  }
  return undefined;
}

interface GraphQLBody {
  data?: unknown;
  errors?: { message?: string; extensions?: { code?: unknown } }[];
}

const AUTHORIZATION = 'Bearer demo-admin';
/** Bound on waiting for a subscription to be answered or registered, and for it to end after we leave. */
const SUBSCRIPTION_DEADLINE_MS = 5_000;

function outcomeOf(status: number, body: GraphQLBody | undefined): Outcome {
  const codes = (body?.errors ?? []).map((e) => {
    const code = e.extensions?.code;
    return typeof code === 'string' ? code : null;
  });
  const messages = (body?.errors ?? []).map((e) => String(e.message));
  return { status, data: body?.data, codes: codes.sort(), messages };
}

/** POSTs one operation as JSON, asking for the GraphQL-over-HTTP response type. */
export async function postOperation(url: string, request: GraphQLRequest): Promise<Outcome> {
  const res = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      accept: 'application/graphql-response+json',
      authorization: AUTHORIZATION,
    },
    body: JSON.stringify(request),
  });
  return outcomeOf(res.status, await bodyOf(res));
}

/** The JSON body of an answer; a body that is not JSON (a proxy's or a limit's text) becomes `data`. */
async function bodyOf(res: Response): Promise<GraphQLBody | undefined> {
  const text = await res.text();
  if (!text) return undefined;
  try {
    return JSON.parse(text) as GraphQLBody;
  } catch {
    return { data: text };
  }
}

/** Resolves once `condition` holds (or `signal` aborts), checking every few ms; rejects after a deadline. */
async function waitUntil(condition: () => boolean, what: string, signal?: AbortSignal) {
  await eventually(
    () => {
      if (!condition() && !signal?.aborted) throw new Error(`timed out waiting for ${what}`);
    },
    { timeout: SUBSCRIPTION_DEADLINE_MS, interval: 2 },
  );
}

/** The first `next` event of a server-sent event stream, or undefined when it completes without one. */
async function firstNextEvent(body: ReadableStream<Uint8Array>): Promise<GraphQLBody | undefined> {
  const decoder = new TextDecoder();
  let buffered = '';
  const reader = body.getReader();
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return undefined;
    buffered += decoder.decode(value, { stream: true });
    const events = buffered.split('\n\n');
    buffered = events.pop() ?? '';
    for (const event of events) {
      const lines = event.split('\n');
      if (lines.includes('event: complete')) return undefined;
      if (!lines.includes('event: next')) continue; // a `:` keep-alive
      const data = lines.filter((l) => l.startsWith('data:')).map((l) => l.slice(5).trim());
      return JSON.parse(data.join('\n')) as GraphQLBody;
    }
  }
}

/**
 * Opens a subscription over SSE and reports how the gateway took it: refused
 * (an error event, then the end) or accepted (the live layer counts one more
 * open subscription). Nothing changes phase while the clocks are frozen, so
 * an accepted subscription has no prompt first payload; its first event is
 * compared when one comes before it is seen open. The stream is then closed,
 * and we wait for the gateway to let go of it.
 */
/** Codes a subscription's events carry once it runs: Run:ai's answers to its polls. */
const RAN = new Set([
  'NOT_FOUND',
  'FORBIDDEN',
  'UPSTREAM_ERROR',
  'UPSTREAM_UNAVAILABLE',
  'UPSTREAM_TIMEOUT',
  'UPSTREAM_BAD_RESPONSE',
  'PARTIAL_RESULT',
]);

export async function subscriptionOutcome(
  url: string,
  request: GraphQLRequest,
  openSubscriptions: () => number,
): Promise<Outcome> {
  const before = openSubscriptions();
  const abort = new AbortController();
  try {
    const res = await fetch(`${url}/graphql`, {
      method: 'POST',
      signal: abort.signal,
      headers: {
        'content-type': 'application/json',
        accept: 'text/event-stream',
        authorization: AUTHORIZATION,
      },
      body: JSON.stringify(request),
    });
    if (!res.headers.get('content-type')?.includes('text/event-stream')) {
      return { ...outcomeOf(res.status, await bodyOf(res)), open: false };
    }
    const opened = waitUntil(
      () => openSubscriptions() > before,
      'the subscription to open',
      abort.signal,
    ).then(() => 'open' as const);
    const event = res.body ? firstNextEvent(res.body) : Promise.resolve(undefined);
    const first = await Promise.race([event, opened]);
    const outcome = first === 'open' ? undefined : outcomeOf(res.status, first);
    // A subscription that ran: open, or its first event already came (a pool that does not exist is
    // NOT_FOUND from the poller; a change feed asked to resume after an unknown cursor starts with RESYNC,
    // observed at its own moment). Which of the two a client sees first is a race between the first event
    // and the count of open subscriptions; both mean the arguments were accepted.
    const ran =
      outcome?.codes.length === 0
        ? outcome.data != null
        : outcome?.codes.every((code) => RAN.has(String(code)));
    if (!outcome || ran) {
      return { status: res.status, data: undefined, codes: [], messages: [], open: true };
    }
    return { ...outcome, open: false };
  } finally {
    abort.abort();
    await waitUntil(() => openSubscriptions() <= before, 'the subscription to close');
  }
}
