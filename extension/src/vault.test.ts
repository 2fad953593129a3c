import { fakeBrowser } from 'wxt/testing/fake-browser'
import { beforeEach, describe, expect, it, vi } from 'vitest'
import { type Connection, connectionItem, type JobCache, jobCacheItem } from './storage.ts'
import { forgetVaultKey, seal, unseal } from './vault.ts'

const TOKEN = 'tsd_0123456789abcdefghijklmnopqrstuvwxyzABCDEF'
const connection: Connection = {
  serverUrl: 'https://tseeder.example.com',
  token: TOKEN,
  email: 'me@example.com',
  planName: 'Free',
  connectedAt: '2026-01-01T09:00:00.000Z',
  revoked: false,
}

/** `local` storage as a content script (or a compromised page process) could read it. */
const rawLocal = () => fakeBrowser.storage.local.get()

function deleteVault(): Promise<void> {
  forgetVaultKey()
  return new Promise((resolve, reject) => {
    const req = indexedDB.deleteDatabase('tseeder-vault')
    req.onsuccess = () => resolve()
    req.onerror = () => reject(req.error)
  })
}

function vaultKey(): Promise<CryptoKey> {
  return new Promise((resolve, reject) => {
    const open = indexedDB.open('tseeder-vault')
    open.onerror = () => reject(open.error)
    open.onsuccess = () => {
      const db = open.result
      const get = db.transaction('keys').objectStore('keys').get('token')
      get.onsuccess = () => resolve(get.result as CryptoKey)
      get.onerror = () => reject(get.error)
      db.close()
    }
  })
}

const SEALED = /^vault:v1:[\w+/=]+:[\w+/=]+$/

describe('the vault', () => {
  beforeEach(async () => {
    fakeBrowser.reset()
    await deleteVault()
  })

  it('stores the connection sealed whole in local storage and gives it back opened', async () => {
    await connectionItem.setValue(connection)
    const raw = await rawLocal()
    expect(raw.connection).toMatch(SEALED)
    for (const secret of [TOKEN, TOKEN.slice(4, 20), connection.email, connection.serverUrl])
      expect(JSON.stringify(raw)).not.toContain(secret)
    expect(await connectionItem.getValue()).toEqual(connection)
  })

  it('stores the job list sealed: job names say what the account downloads', async () => {
    const cache: JobCache = {
      serverUrl: connection.serverUrl,
      jobs: [{ id: 'job-1', name: 'Some.Private.Download.mkv' } as JobCache['jobs'][number]],
      fetchedAt: '2026-01-01T09:00:00.000Z',
    }
    await jobCacheItem.setValue(cache)
    const raw = await rawLocal()
    expect(raw.jobCache).toMatch(SEALED)
    expect(JSON.stringify(raw)).not.toContain('Private.Download')
    expect(await jobCacheItem.getValue()).toEqual(cache)
    // One stored before sealing is read, and sealed once read.
    await fakeBrowser.storage.local.set({ jobCache: cache })
    expect(await jobCacheItem.getValue()).toEqual(cache)
    expect((await rawLocal()).jobCache).toMatch(SEALED)
  })

  it('keeps its key in the extension origin’s IndexedDB, where it cannot be exported', async () => {
    await connectionItem.setValue(connection)
    const key = await vaultKey()
    expect(key.extractable).toBe(false)
    await expect(crypto.subtle.exportKey('raw', key)).rejects.toThrow()
  })

  it('seals a connection stored before, token plain or sealed alone, the first time it is read', async () => {
    for (const token of [TOKEN, await seal(TOKEN)]) {
      await fakeBrowser.storage.local.set({ connection: { ...connection, token } })
      expect(await connectionItem.getValue()).toEqual(connection)
      const stored = (await rawLocal()).connection as string
      expect(stored).toMatch(SEALED)
      expect(JSON.parse((await unseal(stored))!)).toEqual(connection)
    }
  })

  it('reads as no connection when the key is gone (site data cleared): connect again', async () => {
    await connectionItem.setValue(connection)
    await deleteVault()
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {})
    expect(await connectionItem.getValue()).toBeNull()
    expect(warn).toHaveBeenCalledWith(expect.stringContaining('stored value does not open'))
    // An altered value does not open either.
    await connectionItem.setValue(connection)
    const stored = (await rawLocal()).connection as string
    const altered = stored.replace(/.(?=.{4}$)/, (c) => (c === 'A' ? 'B' : 'A'))
    expect(await unseal(altered)).toBe(null)
    await fakeBrowser.storage.local.set({ connection: altered })
    expect(await connectionItem.getValue()).toBeNull()
  })

  it('still connects where the profile gives it no IndexedDB, storing the connection as before', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {})
    vi.spyOn(indexedDB, 'open').mockImplementation(() => {
      throw new DOMException('IndexedDB is disabled', 'InvalidStateError')
    })
    await connectionItem.setValue(connection)
    expect((await rawLocal()).connection).toEqual(connection)
    expect(await connectionItem.getValue()).toEqual(connection)
    expect(warn).toHaveBeenCalledWith(expect.stringContaining('vault unavailable'))
    // Reading it again writes nothing while the vault stays unavailable.
    const writes = vi.spyOn(fakeBrowser.storage.local, 'set')
    await connectionItem.getValue()
    expect(writes).not.toHaveBeenCalled()
  })

  it('tells watchers each new connection opened, the last change last', async () => {
    const seen: (Connection | null)[] = []
    const unwatch = connectionItem.watch((c) => seen.push(c))
    await connectionItem.setValue(connection)
    await connectionItem.setValue({ ...connection, revoked: true })
    await vi.waitFor(() => expect(seen.at(-1)).toEqual({ ...connection, revoked: true }))
    expect(seen.every((c) => c?.token === TOKEN)).toBe(true)
    unwatch()
  })
})
