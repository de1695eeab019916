import pino, { type Logger } from 'pino';

/**
 * Structured logs. The broker never logs bodies or headers; these redactions are the
 * belt to that pair of braces.
 */
export const REDACT_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'headers.authorization',
  '*.authorization',
  '*.client_secret',
  '*.api_key',
  '*.access_token',
  '*.link_token',
  '*.public_token',
  '*.integrated_account_token',
  '*.credential',
];

export function createLogger(
  options: { level?: string; destination?: pino.DestinationStream } = {},
): Logger {
  return pino(
    {
      level: options.level ?? 'info',
      base: { service: 'nerm-connect-broker' },
      redact: { paths: REDACT_PATHS, censor: '[redacted]' },
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    options.destination,
  );
}
