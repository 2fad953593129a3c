import { fakeBrowser } from 'wxt/testing/fake-browser'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { catchMagnetClicks } from './magnet-catcher.ts'
import {
  magnetCatchingItem,
  magnetCatchingSetting,
  protectStorage,
  watchMagnetCatching,
} from './storage-access.ts'
import { connectionItem, DEFAULT_PREFERENCES, preferencesItem } from './storage.ts'

/** The fake browser has no access levels: records what the background asks for. */
function stubAccessLevels() {
  const local = vi.fn(async () => {})
  const session = vi.fn(async () => {})
  Object.assign(fakeBrowser.storage.local, { setAccessLevel: local })
  Object.assign(fakeBrowser.storage.session, { setAccessLevel: session })
  return { local, session }
}

/** Runs the content script's setup with a stand-in document, and says which areas it touched. */
async function runMagnetCatcher(firefox?: boolean) {
  vi.stubGlobal('document', { addEventListener: vi.fn() })
  const reads = vi.spyOn(fakeBrowser.storage.local, 'get')
  const watches = vi.spyOn(fakeBrowser.storage.local.onChanged, 'addListener')
  if (firefox === undefined) catchMagnetClicks()
  else catchMagnetClicks(magnetCatchingSetting(firefox))
  await new Promise((resolve) => setTimeout(resolve, 0))
  return { localReads: reads.mock.calls.map(([keys]) => keys), localWatches: watches.mock.calls }
}

describe('storage access', () => {
  beforeEach(async () => {
    fakeBrowser.reset()
    await connectionItem.setValue({
      serverUrl: 'https://tseeder.example.com',
      token: 'tsd_test-token-0123456789',
      email: 'me@example.com',
      planName: 'Free',
      connectedAt: '2026-01-01T09:00:00.000Z',
      revoked: false,
    })
  })
  afterEach(() => {
    vi.unstubAllGlobals()
  })

  it('closes local storage, where the token is, to content scripts where the browser can', async () => {
    const levels = stubAccessLevels()
    await protectStorage()
    expect(levels.local).toHaveBeenCalledWith({ accessLevel: 'TRUSTED_CONTEXTS' })
    // What content scripts may read instead: the one setting, and nothing else.
    expect(levels.session).toHaveBeenCalledWith({ accessLevel: 'TRUSTED_AND_UNTRUSTED_CONTEXTS' })
    expect(await fakeBrowser.storage.session.get()).toEqual({ catchMagnetClicks: true })
  })

  it('keeps working where the browser has no access levels (Firefox)', async () => {
    Object.assign(fakeBrowser.storage.local, { setAccessLevel: undefined })
    Object.assign(fakeBrowser.storage.session, { setAccessLevel: undefined })
    await protectStorage()
    expect(await magnetCatchingItem.getValue()).toBe(true)
  })

  it('keeps the content scripts\u2019 copy of "Catch magnet link clicks" current', async () => {
    stubAccessLevels()
    await protectStorage()
    watchMagnetCatching()
    await preferencesItem.setValue({ ...DEFAULT_PREFERENCES, catchMagnetClicks: false })
    await vi.waitFor(async () => expect(await magnetCatchingItem.getValue()).toBe(false))
  })

  it('the magnet catcher in Chrome never reads or watches local storage', async () => {
    const { localReads, localWatches } = await runMagnetCatcher()
    expect(localReads).toEqual([])
    expect(localWatches).toEqual([])
  })

  it('the magnet catcher in Firefox reads only the preferences, never the connection', async () => {
    const { localReads } = await runMagnetCatcher(true)
    expect(localReads.flat()).toEqual(['preferences'])
  })
})
