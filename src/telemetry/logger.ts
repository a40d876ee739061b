import { pino } from 'pino';

export type Logger = pino.Logger;

/**
 * Log lines are buffered up to this many bytes before one write to stdout:
 * a line per operation would otherwise cost a write call per request.
 */
const BUFFER_BYTES = 4096;
/** A quiet gateway still shows its lines within this long. */
const FLUSH_EVERY_MS = 1000;

/**
 * JSON logger for the gateway. Authorization headers and tokens are redacted
 * at the logger, so no call site can leak them by accident.
 *
 * Without a destination it writes to stdout asynchronously through a 4 KB
 * buffer flushed every second and on exit; `logger.flush()` writes at once.
 */
export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  return pino(
    {
      level,
      base: { service: 'nodepool-gateway' },
      redact: {
        paths: [
          'token',
          '*.token',
          'authorization',
          '*.authorization',
          'headers.authorization',
          '*.headers.authorization',
          'req.headers.authorization',
          'accessToken',
          '*.accessToken',
          'clientSecret',
          '*.clientSecret',
        ],
        censor: '[redacted]',
      },
    },
    destination ??
      pino.destination({
        dest: process.stdout.fd,
        sync: false,
        minLength: BUFFER_BYTES,
        periodicFlush: FLUSH_EVERY_MS,
      }),
  );
}
