import type { IncomingMessage, ServerResponse } from 'node:http';
import type { FaultRegistry } from './faults.js';
import { parseJsonBody, readBody, sendJson } from './http-io.js';
import type { RequestLog } from './request-log.js';
import type { FaultMatch } from './types.js';

/** Path prefix of the unauthenticated control endpoints (never recorded in the request log). */
export const CONTROL_PREFIX = '/_simulator/';

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function matchOf(spec: Json): FaultMatch {
  const match: FaultMatch = {};
  if (typeof spec['method'] === 'string') match.method = spec['method'];
  if (typeof spec['operation'] === 'string') match.operation = spec['operation'];
  if (typeof spec['path'] === 'string') match.path = spec['path'];
  if (typeof spec['token'] === 'string') match.token = spec['token'];
  return match;
}

function countOf(spec: unknown, key: string): { spec: Json; count: number } {
  if (!isObject(spec) || typeof spec['count'] !== 'number') throw new Error(`${key}.count must be a number`);
  return { spec, count: spec['count'] };
}

/** Applies a `POST /_simulator/faults` body; throws a readable Error on a bad one. */
function applyFaults(faults: FaultRegistry, body: unknown): void {
  if (!isObject(body)) throw new Error('body must be a JSON object');
  if (body['reset'] === true) faults.reset();
  if (body['latencyMs'] !== undefined) {
    if (typeof body['latencyMs'] !== 'number') throw new Error('latencyMs must be a number');
    faults.setLatency(
      body['latencyMs'],
      isObject(body['latencyMatch']) ? matchOf(body['latencyMatch']) : undefined,
    );
  }
  if (body['failNext'] !== undefined) {
    const { spec, count } = countOf(body['failNext'], 'failNext');
    if (typeof spec['status'] !== 'number') throw new Error('failNext.status must be a number');
    faults.failNext(count, spec['status'], {
      ...matchOf(spec),
      ...(typeof spec['retryAfterSeconds'] === 'number'
        ? { retryAfterSeconds: spec['retryAfterSeconds'] }
        : {}),
      ...(typeof spec['body'] === 'string' ? { body: spec['body'] } : {}),
    });
  }
  if (body['dropNext'] !== undefined) {
    const { spec, count } = countOf(body['dropNext'], 'dropNext');
    faults.dropNext(count, matchOf(spec));
  }
  if (body['garbageNext'] !== undefined) {
    const { spec, count } = countOf(body['garbageNext'], 'garbageNext');
    faults.garbageNext(count, matchOf(spec));
  }
}

/** Serves `/_simulator/requests` (GET, DELETE) and `/_simulator/faults` (POST). */
export async function handleControl(
  req: IncomingMessage,
  res: ServerResponse,
  path: string,
  faults: FaultRegistry,
  log: RequestLog,
): Promise<void> {
  const method = req.method ?? 'GET';
  if (path === `${CONTROL_PREFIX}requests`) {
    if (method === 'GET') return sendJson(res, 200, log.all);
    if (method === 'DELETE') {
      log.clear();
      return sendJson(res, 200, { ok: true });
    }
    return sendJson(res, 405, { code: 405, message: 'Method Not Allowed' }, { allow: 'GET, DELETE' });
  }
  if (path === `${CONTROL_PREFIX}faults`) {
    if (method !== 'POST')
      return sendJson(res, 405, { code: 405, message: 'Method Not Allowed' }, { allow: 'POST' });
    const raw = await readBody(req);
    const parsed = raw === null ? { value: undefined, error: true } : parseJsonBody(raw);
    try {
      if (parsed.error) throw new Error('body is not JSON');
      applyFaults(faults, parsed.value);
    } catch (error) {
      return sendJson(res, 400, { code: 400, message: `Invalid fault plan: ${(error as Error).message}` });
    }
    return sendJson(res, 200, { ok: true });
  }
  return sendJson(res, 404, { code: 404, message: `No control endpoint ${path}` });
}
