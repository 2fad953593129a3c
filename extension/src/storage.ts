// Everything the extension keeps, as typed storage items. All of it lives in `local` storage of
// this browser profile: the token never syncs to other devices, and survives a restart. Content
// scripts are kept out of it where the browser allows (see `storage-access.ts`).
import type { Job, Scope } from '@tseeder/shared'
import { storage } from 'wxt/utils/storage'

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

export const connectionItem = storage.defineItem<Connection | null>('local:connection', {
  fallback: null,
})

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
