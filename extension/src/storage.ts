// Everything the extension keeps, as typed storage items. All of it lives in `local` storage of
// this browser profile: the token never syncs to other devices, and survives a restart. Content
// scripts are kept out of it where the browser allows (see `storage-access.ts`), and the account
// (connection and job list) is stored sealed for where they are not (see `vault.ts`).
import type { Job, Scope } from '@tseeder/shared'
import { storage } from 'wxt/utils/storage'
import { isSealed, seal, unseal } from './vault.ts'

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

/**
 * A value `local` keeps sealed (`vault.ts`): its JSON, sealed, read back opened. Null when nothing
 * is stored or it does not open. A value stored as an object (before sealing, or where the
 * profile gives the extension no IndexedDB) is read through `legacy`, and sealed the first time
 * it is read where the vault works.
 */
function sealedItem<T>(key: `local:${string}`, legacy: (stored: T) => Promise<T | null>) {
  const item = storage.defineItem<string | T | null>(key, { fallback: null })
  async function opened(stored: string | T | null): Promise<T | null> {
    if (stored === null) return null
    if (typeof stored !== 'string') return legacy(stored)
    const text = isSealed(stored) ? await unseal(stored) : null
    if (text !== null) return JSON.parse(text) as T
    console.warn(JSON.stringify({ msg: 'stored value does not open', item: key }))
    return null
  }
  return {
    async getValue(): Promise<T | null> {
      const stored = await item.getValue()
      const value = await opened(stored)
      if (value !== null && typeof stored !== 'string') {
        const sealed = await seal(JSON.stringify(value))
        if (isSealed(sealed)) await item.setValue(sealed)
      }
      return value
    },
    async setValue(value: T | null): Promise<void> {
      if (value === null) return item.setValue(null)
      const sealed = await seal(JSON.stringify(value))
      await item.setValue(isSealed(sealed) ? sealed : value)
    },
    /** Calls back with each new value, in order (a later change is never overtaken). */
    watch(callback: (value: T | null) => void): () => void {
      let latest = 0
      return item.watch((stored) => {
        const change = ++latest
        void opened(stored).then((value) => {
          if (change === latest) callback(value)
        })
      })
    },
  }
}

/**
 * The connection, sealed whole. One stored as an object has its token sealed alone (as before
 * the whole was), or plain; a token that does not open reads as no connection: connect again.
 */
export const connectionItem = sealedItem<Connection>('local:connection', async (stored) => {
  const token = await unseal(stored.token)
  if (token !== null) return { ...stored, token }
  console.warn(JSON.stringify({ msg: 'stored token does not open: connect again' }))
  return null
})

export const preferencesItem = storage.defineItem<Preferences>('local:preferences', {
  fallback: DEFAULT_PREFERENCES,
})

/** Sealed as well: job names and hashes say what the account downloads. */
export const jobCacheItem = sealedItem<JobCache>('local:jobCache', async (stored) => stored)

/** Ids of jobs whose completion or failure was already announced (newest last). */
export const notifiedJobsItem = storage.defineItem<string[]>('local:notifiedJobs', {
  fallback: [],
})
