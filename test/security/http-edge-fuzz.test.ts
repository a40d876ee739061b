import { connect } from 'node:net';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { statusOfCode } from '../../src/domain/errors.js';
import { type GatewayProcess, gatewayOnSimulator } from '../helpers/gateway-process.js';

/**
 * Whatever a client sends to the HTTP edge (any method, path,
 * percent-encoding, header or body, on every route), the process stays up
 * and every answer is a success or an error of the contract: a JSON body
 * whose errors carry `extensions.code`. Requests go over raw sockets, so
 * nothing a client library would refuse to send is left out.
 */

let stack: Awaited<ReturnType<typeof gatewayOnSimulator>>;
let gateway: GatewayProcess;
beforeAll(async () => {
  stack = await gatewayOnSimulator({ RATE_LIMIT_PER_MINUTE: '0' });
  gateway = stack.gateway;
});
afterAll(() => stack?.stop());

interface RawAnswer {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** Sends bytes as they are and reads the answer until the server closes the connection. */
function sendRaw(url: string, request: Buffer): Promise<RawAnswer> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname);
    const chunks: Buffer[] = [];
    // A stream (SSE, multipart) stays open: what came before a quiet moment is its answer.
    socket.setTimeout(1_500, () => {
      if (chunks.length > 0) {
        finish();
        socket.destroy();
      } else socket.destroy(new Error('no answer within 1.5 s'));
    });
    socket.on('data', (chunk) => chunks.push(chunk));
    socket.on('error', (error) => {
      // A server may close while we still write a large body: what it answered before counts.
      if (chunks.length > 0) finish();
      else reject(error);
    });
    socket.on('end', finish);
    socket.on('close', finish);
    let done = false;
    function finish() {
      if (done) return;
      done = true;
      const text = Buffer.concat(chunks).toString('latin1');
      const [head = '', ...rest] = text.split('\r\n\r\n');
      const [statusLine = '', ...headerLines] = head.split('\r\n');
      const headers: Record<string, string> = {};
      for (const line of headerLines) {
        const colon = line.indexOf(':');
        if (colon > 0) headers[line.slice(0, colon).toLowerCase()] = line.slice(colon + 1).trim();
      }
      let body = rest.join('\r\n\r\n');
      if (headers['transfer-encoding'] === 'chunked') body = dechunk(body);
      resolve({ status: Number(statusLine.split(' ')[1] ?? 0), headers, body });
    }
    socket.write(request);
  });
}

function dechunk(text: string): string {
  let out = '';
  let rest = text;
  for (;;) {
    const eol = rest.indexOf('\r\n');
    if (eol < 0) return out;
    const size = Number.parseInt(rest.slice(0, eol), 16);
    if (!Number.isFinite(size) || size === 0) return out;
    out += rest.slice(eol + 2, eol + 2 + size);
    rest = rest.slice(eol + 2 + size + 2);
  }
}

const ROUTES = ['/graphql', '/healthz', '/readyz', '/metrics', '/', '/unknown', '/export/nodepools/'];
const encodings = fc.constantFrom('%', '%E0%A4%A', '%ZZ', '%00', '%2F', '%C0%AF', '%FF', '..', '%25', '#');
const segment = fc.oneof(
  fc.string({ maxLength: 12 }).map((s) => encodeURIComponent(s)),
  encodings,
  fc.constantFrom('1', '2', 'Tm9kZVBvb2w6Mg==', 'NodePool', 'metrics.csv', 'graphql', '99999999999999999999'),
);
const DOCUMENTS = [
  '{ nodePoolCount }',
  '{ nodePools(first: 2) { totalCount edges { node { id name phase } } } }',
  '{ nodePool(id: "2") { name metrics(types: [GPU_UTILIZATION]) { series { latest { value } } } } }',
  'query Q($id: ID!) { nodePool(id: $id) { name } }',
  'subscription { nodePoolPhaseChanged { phase } }',
  'mutation { patchNodePool(id: "2", input: { labelValue: "x" }) { __typename } }',
  '{ nodes(ids: ["%E0%A4%A"]) { id } }',
  '{ __schema { types { name } } }',
  '{ nodePools(first: 2) { edges { node { ... @defer { metrics(types: [CPU_UTILIZATION]) { series { type } } } } } } }',
  '{',
];
const jsonish = fc.oneof(
  fc.constantFrom('{"id":"2"}', '{"id":1}', '[', 'null', '{"__proto__":{}}', '{"id":"\u0000"}'),
  fc.json({ maxDepth: 2 }),
);
const graphqlQuery = fc
  .record(
    {
      query: fc.oneof(fc.constantFrom(...DOCUMENTS), fc.string({ maxLength: 30 })),
      variables: jsonish,
      operationName: fc.constantFrom('Q', '', 'x'.repeat(300)),
      extensions: fc.constantFrom('{"persistedQuery":{"version":1,"sha256Hash":"abc"}}', '{', '{}'),
      documentId: fc.constantFrom('sha256:abc', ''),
    },
    { requiredKeys: [] },
  )
  .map((params) => new URLSearchParams(params as Record<string, string>).toString());
const csvQuery = fc
  .record(
    {
      types: fc.constantFrom('GPU_UTILIZATION', 'GPU_UTILIZATION,TOTAL_GPU', 'NOPE', '', ',,,'),
      start: fc.constantFrom('2025-01-01T00:00:00Z', 'yesterday', '%'),
      end: fc.constantFrom('2025-01-01T01:00:00Z', '2024-01-01T00:00:00Z'),
      samples: fc.constantFrom('20', '-1', '1e9', 'x', '1000'),
    },
    { requiredKeys: [] },
  )
  .map((params) => new URLSearchParams(params as Record<string, string>).toString());
const path = fc.oneof(
  { weight: 3, arbitrary: fc.tuple(fc.constantFrom(...ROUTES), graphqlQuery).map(([r, q]) => `${r}?${q}`) },
  { weight: 2, arbitrary: fc.constantFrom(...ROUTES) },
  {
    weight: 3,
    arbitrary: fc
      .tuple(segment, csvQuery)
      .map(([id, q]) => `/export/nodepools/${id}/metrics.csv${q ? `?${q}` : ''}`),
  },
  {
    weight: 1,
    arbitrary: fc
      .tuple(fc.constantFrom(...ROUTES), fc.array(segment, { minLength: 1, maxLength: 3 }))
      .map(([route, extra]) => `${route.replace(/\/$/, '')}/${extra.join('/')}`),
  },
);
const method = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom('GET', 'POST') },
  { weight: 2, arbitrary: fc.constantFrom('PUT', 'DELETE', 'PATCH', 'OPTIONS', 'HEAD') },
  { weight: 1, arbitrary: fc.constantFrom('TRACE', 'BREW') },
);
const printable = fc.string({
  maxLength: 40,
  unit: fc.integer({ min: 0x20, max: 0x7e }).map(String.fromCharCode),
});
const headerValue = fc.oneof(
  { weight: 3, arbitrary: printable },
  { weight: 1, arbitrary: fc.string({ maxLength: 20 }) },
  {
    weight: 4,
    arbitrary: fc.constantFrom(
      'Bearer demo-admin',
      'Bearer demo-viewer',
      'Bearer invented',
      'bearer  demo-admin ',
      'Bearer \u0000nul',
      'Bearer ünïcödé',
      'Bearer a,b',
      'Basic YTpi',
      'Bearer',
      'application/json',
      'application/json; charset=utf-8',
      'text/event-stream',
      'multipart/mixed',
      'application/graphql-response+json',
      'text/html',
      'gzip',
      'http://evil.example',
      '-1',
    ),
  },
);
const header = fc.tuple(
  fc.constantFrom(
    'authorization',
    'authorization',
    'content-type',
    'content-type',
    'accept',
    'content-encoding',
    'x-request-id',
    'origin',
    'x-graphql-yoga-csrf',
    'x-forwarded-for',
    'cookie',
    'last-event-id',
  ),
  headerValue,
);
const body = fc.oneof(
  { weight: 1, arbitrary: fc.constant('') },
  { weight: 1, arbitrary: fc.string({ maxLength: 200 }) },
  {
    weight: 4,
    arbitrary: fc
      .record(
        { query: fc.oneof(fc.constantFrom(...DOCUMENTS), fc.string()), variables: fc.json({ maxDepth: 2 }) },
        { requiredKeys: ['query'] },
      )
      .map((request) => JSON.stringify({ ...request, variables: JSON.parse(request.variables ?? 'null') })),
  },
  {
    weight: 1,
    arbitrary: fc.constantFrom(
      '{"query":1}',
      '[{"query":"{ __typename }"}]',
      '{"__proto__":{"x":1},"query":"{ __typename }"}',
      '{"query":"{ __typename }","extensions":{"persistedQuery":{"version":1,"sha256Hash":"x"}}}',
      '{"query":"{ a }","variables":"[',
    ),
  },
  { weight: 1, arbitrary: fc.uint8Array({ maxLength: 300 }).map((b) => Buffer.from(b).toString('latin1')) },
);

function requestBytes(m: string, p: string, headers: [string, string][], b: string): Buffer {
  const lines = [`${m} ${p} HTTP/1.1`, 'host: 127.0.0.1', 'connection: close'];
  for (const [name, value] of headers) lines.push(`${name}: ${value}`);
  const payload = Buffer.from(b, 'utf8');
  if (payload.length > 0) lines.push(`content-length: ${payload.length}`);
  return Buffer.concat([Buffer.from(`${lines.join('\r\n')}\r\n\r\n`, 'utf8'), payload]);
}

/** The JSON an answer carries: the body, or its first part (multipart) or event (SSE). */
function jsonOf(answer: RawAnswer): string {
  const type = answer.headers['content-type'] ?? '';
  if (type.startsWith('text/event-stream')) {
    return /^data: (.*)$/m.exec(answer.body)?.[1] ?? '';
  }
  if (type.startsWith('multipart/mixed')) {
    const start = answer.body.indexOf('{');
    const end = answer.body.lastIndexOf('}');
    return start >= 0 ? answer.body.slice(start, end + 1) : '';
  }
  return answer.body;
}

/** Whether an answer keeps the promise: a success, or errors of the contract. */
function checkAnswer(m: string, p: string, answer: RawAnswer): void {
  const where = `${m} ${p} → ${answer.status} ${answer.body.slice(0, 200)}`;
  expect(answer.status, where).toBeGreaterThanOrEqual(100);
  if (answer.status < 400 || m === 'HEAD') return;
  // The readiness probe answers in text for its probes, and says why.
  if (p.startsWith('/readyz') && answer.status === 503) return;
  let parsed: { errors?: { extensions?: { code?: unknown } }[] };
  try {
    parsed = JSON.parse(jsonOf(answer));
  } catch {
    throw new Error(`not a JSON error: ${where}`);
  }
  const codes = (parsed.errors ?? []).map((e) => e.extensions?.code);
  expect(codes.length, where).toBeGreaterThan(0);
  for (const code of codes) expect(typeof code, where).toBe('string');
  expect(
    codes.map((code) => statusOfCode(code as string)),
    where,
  ).toContain(answer.status);
}

describe('the HTTP edge under arbitrary requests', () => {
  it('stays up, and answers every request with a success or a coded error', async () => {
    await fc.assert(
      fc.asyncProperty(method, path, fc.array(header, { maxLength: 5 }), body, async (m, p, headers, b) => {
        if (!gateway.alive) throw new Error(`the gateway died: ${gateway.stderr.join('').slice(-2_000)}`);
        const answer = await sendRaw(gateway.url, requestBytes(m, p, headers, b));
        checkAnswer(m, p, answer);
      }),
      {
        numRuns: Number(process.env['FUZZ_RUNS'] ?? 400),
        ...(process.env['FC_SEED'] ? { seed: Number(process.env['FC_SEED']) } : {}),
      },
    );
    expect(gateway.alive).toBe(true);
    expect((await fetch(`${gateway.url}/healthz`)).status).toBe(200);
  }, 120_000);

  it('answers a request the HTTP parser cannot read with a coded 400', async () => {
    for (const raw of [
      'GET /graphql HTTP/1.1\r\nhost: x\r\nbad header\r\n\r\n',
      'BREW /graphql HTTP/1.1\r\nhost: x\r\n\r\n',
      'GET /graphql HTTP/1.1\r\nhost: x\r\nauthorization: Bearer \u0000\r\n\r\n',
      'GET /graphql\u0000 HTTP/1.1\r\n\r\n',
    ]) {
      const answer = await sendRaw(gateway.url, Buffer.from(raw, 'latin1'));
      checkAnswer('GET', '/graphql', answer);
    }
    expect(gateway.alive).toBe(true);
  });
});
