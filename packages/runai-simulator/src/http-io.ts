import type { IncomingMessage, ServerResponse } from 'node:http';

/** Largest request body the simulator reads; Run:ai bodies are tiny. */
export const MAX_BODY_BYTES = 1024 * 1024;

/** Reads the whole request body as UTF-8 (null when it exceeds MAX_BODY_BYTES). */
export async function readBody(req: IncomingMessage): Promise<string | null> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buffer = chunk as Buffer;
    size += buffer.length;
    if (size > MAX_BODY_BYTES) return null;
    chunks.push(buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** A parsed JSON body: `value` is undefined for an empty body, `error` set when it is not JSON. */
export interface ParsedBody {
  value: unknown;
  error: boolean;
}

/** Parses a request body as JSON. */
export function parseJsonBody(raw: string): ParsedBody {
  if (raw.trim() === '') return { value: undefined, error: false };
  try {
    return { value: JSON.parse(raw) as unknown, error: false };
  } catch {
    return { value: raw, error: true };
  }
}

/** Sends a body with an explicit content type and length (keep-alive friendly). */
export function sendText(
  res: ServerResponse,
  status: number,
  text: string,
  contentType: string,
  headers: Record<string, string> = {},
): void {
  if (res.headersSent || res.destroyed) return;
  res.writeHead(status, {
    ...headers,
    'content-type': contentType,
    'content-length': Buffer.byteLength(text),
  });
  res.end(text);
}

/** Sends a JSON body with content-type application/json. */
export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  sendText(res, status, JSON.stringify(body), 'application/json', headers);
}

/** The bearer token of a request, if it carries one. */
export function bearerToken(req: IncomingMessage): string | undefined {
  const header = req.headers.authorization;
  if (!header) return undefined;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  return match ? match[1] : undefined;
}

/** Resolves after `ms`, or as soon as the response closes (client gone, simulator stopping). */
export function sleepUnlessClosed(ms: number, res: ServerResponse, cancels: Set<() => void>): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      res.off('close', done);
      cancels.delete(done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    res.on('close', done);
    cancels.add(done);
  });
}
