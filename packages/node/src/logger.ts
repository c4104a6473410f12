import pino, { type Logger } from 'pino'
import pretty from 'pino-pretty'

/** Logger settings: a pino logger, or level and format. */
export type LoggerConfig =
  | Logger
  | {
      /** pino level; default `info`. */
      level?: string | undefined
      /** Human-readable lines; default when stdout is a TTY and NODE_ENV is not `production`. JSON otherwise. */
      pretty?: boolean | undefined
      /** Where JSON lines go; default stdout. */
      destination?: NodeJS.WritableStream | undefined
    }

const isLogger = (l: LoggerConfig): l is Logger => typeof (l as Logger).child === 'function'

/**
 * A pino logger: pretty in development, JSON lines in production.
 *
 * @example
 * ```ts
 * const log = createLogger({ level: 'debug', pretty: true })
 * log.info({ block: 1 }, 'sealed')
 * ```
 */
export function createLogger(config: LoggerConfig = {}): Logger {
  if (isLogger(config)) return config
  const level = config.level ?? 'info'
  const usePretty = config.pretty ?? (process.stdout.isTTY === true && process.env.NODE_ENV !== 'production')
  if (usePretty) {
    // A synchronous in-process stream: no transport worker thread to outlive the node.
    return pino({ level }, pretty({ sync: true, colorize: process.stdout.isTTY === true, ignore: 'pid,hostname' }))
  }
  return config.destination ? pino({ level }, config.destination) : pino({ level })
}
