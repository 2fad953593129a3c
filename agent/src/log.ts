import { pino, type Logger } from 'pino'

export type { Logger }

/**
 * JSON-lines logger. Credentials, signatures and magnets are redacted wherever they appear
 * under these keys, as a second line of defence: call sites never log them on purpose.
 */
export function createLogger(level: string, destination?: NodeJS.WritableStream): Logger {
  return pino(
    {
      level,
      base: { svc: 'tseeder-agent' },
      redact: {
        paths: [
          'secret',
          'credentials',
          '*.credentials',
          'storage.credentials',
          'magnet',
          '*.magnet',
          'torrentBase64',
          '*.torrentBase64',
          'headers',
        ],
        censor: '[redacted]',
      },
    },
    destination ?? process.stdout,
  )
}
