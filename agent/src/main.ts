import { ConfigError, loadConfig } from './config.ts'
import { startAgent } from './agent.ts'
import { createLogger } from './log.ts'

let config
try {
  config = loadConfig(process.env)
} catch (error) {
  if (error instanceof ConfigError) {
    console.error(error.message)
    process.exit(78)
  }
  throw error
}
const log = createLogger(config.logLevel)
const agent = await startAgent(config, log)

/**
 * webtorrent can throw from a socket callback (STACK.md: `peer.js ... 'private'` when a torrent
 * is re-added during an encrypted handshake). Such an error belongs to the engine, not to one
 * request: restart the engine and resume every job from disk. Anything else is a bug: exit and
 * let the supervisor restart us (state is persisted, so jobs resume).
 */
let restarting = false
process.on('uncaughtException', (error) => {
  const fromEngine = /node_modules[\\/](webtorrent|bittorrent-|torrent-|simple-peer)/.test(
    error.stack ?? '',
  )
  if (fromEngine && !restarting) {
    restarting = true
    log.error({ err: error.message }, 'uncaught torrent engine error')
    void agent.jobs.restartEngine(error.message).finally(() => {
      restarting = false
    })
    return
  }
  if (fromEngine) return
  log.fatal({ err: error.message, stack: error.stack }, 'uncaught exception, exiting')
  process.exit(1)
})
process.on('unhandledRejection', (reason) => {
  log.error(
    { err: reason instanceof Error ? reason.message : String(reason) },
    'unhandled rejection',
  )
})

let draining = false
for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.once(signal, () => {
    if (draining) return
    draining = true
    log.info({ signal }, 'draining')
    agent
      .close()
      .then(() => process.exit(0))
      .catch((error: Error) => {
        log.error({ err: error.message }, 'drain failed')
        process.exit(1)
      })
  })
}
