import { once } from 'node:events';
import { createServer, type Server, type Socket } from 'node:net';
import { Pool } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';
import { CallAbort } from '../../src/upstream/call-abort.js';
import { exchange } from '../../src/upstream/exchange.js';

/** A raw TCP server that answers every request with `reply` (status lines, headers and bodies written by hand). */
async function rawServer(reply: (socket: Socket) => void): Promise<{ pool: Pool; server: Server }> {
  const server = createServer((socket) => {
    socket.once('data', () => reply(socket));
    socket.on('error', () => {});
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  return { pool: new Pool(`http://127.0.0.1:${port}`, { connections: 1 }), server };
}

const open: { pool: Pool; server: Server }[] = [];
afterEach(async () => {
  for (const { pool, server } of open.splice(0)) {
    await pool.destroy();
    server.close();
  }
});
async function serve(reply: (socket: Socket) => void) {
  const started = await rawServer(reply);
  open.push(started);
  return started.pool;
}
const GET = { path: '/x', method: 'GET' as const };

describe('exchange', () => {
  it('reads a whole answer: status, headers and body', async () => {
    const pool = await serve((s) =>
      s.write('HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 11\r\n\r\n{"ok":true}'),
    );
    const res = await exchange(pool, GET, new CallAbort(), 1024);
    expect([res.statusCode, res.headers['content-type'], res.body.toString(), res.bodyError]).toEqual([
      200,
      'application/json',
      '{"ok":true}',
      undefined,
    ]);
  });

  it('skips an informational answer (103 Early Hints) and reads the final one', async () => {
    const pool = await serve((s) =>
      s.write(
        'HTTP/1.1 103 Early Hints\r\nLink: </a>; rel=preload\r\n\r\nHTTP/1.1 201 Created\r\nContent-Length: 2\r\n\r\n{}',
      ),
    );
    const res = await exchange(pool, GET, new CallAbort(), 1024);
    expect([res.statusCode, res.body.toString()]).toEqual([201, '{}']);
  });

  it('keeps only the first bytes of an error body, and still reads it to the end', async () => {
    const big = 'x'.repeat(200_000);
    const pool = await serve((s) =>
      s.write(`HTTP/1.1 503 Service Unavailable\r\nContent-Length: ${big.length}\r\n\r\n${big}`),
    );
    const res = await exchange(pool, GET, new CallAbort(), 1024);
    expect(res.statusCode).toBe(503);
    expect(res.bodyError).toBeUndefined();
    // Chunks are kept until the cap is reached: at most one chunk past it.
    expect(res.body.length).toBeGreaterThanOrEqual(1024);
    expect(res.body.length).toBeLessThan(big.length);
  });

  it('resolves with the status and the body error when the body breaks off after the headers', async () => {
    const pool = await serve((s) => {
      s.write('HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n{"partial":');
      setTimeout(() => s.destroy(), 20);
    });
    const res = await exchange(pool, GET, new CallAbort(), 1024);
    expect(res.statusCode).toBe(200);
    expect(res.bodyError).toBeInstanceOf(Error);
  });

  it('rejects when no answer came', async () => {
    const pool = await serve((s) => s.destroy());
    await expect(exchange(pool, GET, new CallAbort(), 1024)).rejects.toMatchObject({
      code: 'UND_ERR_SOCKET',
    });
  });

  it('aborts before the answer with the reason, and leaves no listener behind', async () => {
    const pool = await serve(() => {}); // never answers
    const abort = new CallAbort();
    const pending = exchange(pool, GET, abort, 1024);
    setTimeout(() => abort.abort(new Error('caller left')), 20);
    await expect(pending).rejects.toThrow('caller left');
    expect(abort.listenerCount('abort')).toBe(0);
  });

  it('does not send a request whose call was already aborted', async () => {
    let requests = 0;
    const pool = await serve(() => {
      requests++;
    });
    const abort = new CallAbort();
    abort.abort(new Error('gone'));
    await expect(exchange(pool, GET, abort, 1024)).rejects.toThrow('gone');
    expect(requests).toBe(0);
  });
});
