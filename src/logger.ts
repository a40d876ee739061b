import { pino } from 'pino';

export type Logger = pino.Logger;

/**
 * JSON logger for the gateway. Authorization headers and tokens are redacted
 * at the logger, so no call site can leak them by accident.
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
    destination,
  );
}
