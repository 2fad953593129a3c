// Everything the extension keeps, as typed storage items. All of it lives in `local` storage of
// this browser profile: the token never syncs to other devices, and survives a restart. Content
// scripts are kept out of it where the browser allows (see `storage-access.ts`), and the token is
// stored sealed wherever they are not (see `token-vault.ts`).
import type { Job, Scope } from '@tseeder/shared'
import { storage } from 'wxt/utils/storage'
import { isSealedToken, openToken, sealToken } from './token-vault.ts'

/** A verified link to one tseeder account. */
export interface Connection {
  /** The server's origin, e.g. `https://tseeder.example.com`. */
  serverUrl: string
  token: string
  email: string
  planName: string
  /**
   * The plan's transfers at a time when it connected, named under a job held back by them
   * (absent on connections stored before; null: no limit).
   */
  maxTransfers?: number | null
  connectedAt: string
  /**
   * The token's scopes, as probed on Connect (absent on connections stored before). It always
   * has `jobs:read` and `jobs:write`; without `files:read` the popup offers no downloads.
   */
  scopes?: Scope[]
  /** Set when the server stopped accepting the token (401): the UI asks to reconnect. */
  revoked: boolean
}

export interface Preferences {
  /** Magnet link clicks on pages go to tseeder instead of a local torrent client. */
  catchMagnetClicks: boolean
  /** `.torrent` downloads are cancelled and uploaded to tseeder instead. */
  catchTorrentDownloads: boolean
}

export const DEFAULT_PREFERENCES: Preferences = {
  catchMagnetClicks: true,
  catchTorrentDownloads: false,
}

/** The last job list seen, so the popup paints at once before the network answers. */
export interface JobCache {
  serverUrl: string
  jobs: Job[]
  fetchedAt: string
}

/** The connection as `local` keeps it: its token sealed (or plain, if stored before sealing). */
const storedConnectionItem = storage.defineItem<Connection | null>('local:connection', {
  fallback: null,
})

/** The connection with its token opened; null when there is none or its token does not open. */
async function opened(stored: Connection | null): Promise<Connection | null> {
  if (!stored) return null
  const token = await openToken(stored.token)
  if (token === null) {
    console.warn(
      JSON.stringify({
        msg: 'stored token does not open: connect again',
        server: stored.serverUrl,
      }),
    )
    return null
  }
  return { ...stored, token }
}

/** The connection, as its readers use it: the token is sealed on the way in, opened on the way out. */
export const connectionItem = {
  async getValue(): Promise<Connection | null> {
    const stored = await storedConnectionItem.getValue()
    const connection = await opened(stored)
    // A token stored before sealing is sealed the first time it is read.
    if (stored && connection && !isSealedToken(stored.token)) {
      const token = await sealToken(connection.token)
      if (isSealedToken(token)) await storedConnectionItem.setValue({ ...stored, token })
    }
    return connection
  },
  async setValue(connection: Connection | null): Promise<void> {
    await storedConnectionItem.setValue(
      connection && { ...connection, token: await sealToken(connection.token) },
    )
  },
  /** Calls back with each new connection, in order (a later change is never overtaken). */
  watch(callback: (connection: Connection | null) => void): () => void {
    let latest = 0
    return storedConnectionItem.watch((stored) => {
      const change = ++latest
      void opened(stored).then((connection) => {
        if (change === latest) callback(connection)
      })
    })
  },
}

export const preferencesItem = storage.defineItem<Preferences>('local:preferences', {
  fallback: DEFAULT_PREFERENCES,
})

export const jobCacheItem = storage.defineItem<JobCache | null>('local:jobCache', {
  fallback: null,
})

/** Ids of jobs whose completion or failure was already announced (newest last). */
export const notifiedJobsItem = storage.defineItem<string[]>('local:notifiedJobs', {
  fallback: [],
})
