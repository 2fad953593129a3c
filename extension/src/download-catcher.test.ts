import { fakeBrowser } from 'wxt/testing/fake-browser'
import { beforeEach, describe, expect, it, vi } from 'vitest'
import { catchDownload } from './download-catcher.ts'
import { connectionItem, DEFAULT_PREFERENCES, preferencesItem } from './storage.ts'

const SERVER = 'https://tseeder.example'

describe('download catcher', () => {
  beforeEach(async () => {
    fakeBrowser.reset()
    await connectionItem.setValue({
      serverUrl: SERVER,
      token: 'tsd_test-token-0123456789',
      email: 'ada@example.com',
      planName: 'Free',
      connectedAt: '2026-11-01T00:00:00.000Z',
      revoked: false,
    })
    await preferencesItem.setValue({ ...DEFAULT_PREFERENCES, catchTorrentDownloads: true })
  })

  it('leaves alone a .torrent the popup downloads from the user’s own tseeder', async () => {
    const cancel = vi.spyOn(fakeBrowser.downloads, 'cancel').mockResolvedValue()
    vi.spyOn(fakeBrowser.downloads, 'erase').mockResolvedValue([])
    await catchDownload({
      id: 7,
      url: `${SERVER}/dl/signed-token`,
      finalUrl: `${SERVER}/dl/signed-token`,
      filename: 'ubuntu.torrent',
      mime: 'application/x-bittorrent',
    })
    expect(cancel).not.toHaveBeenCalled()
  })

  it('still takes over a .torrent download from another site', async () => {
    const cancel = vi.spyOn(fakeBrowser.downloads, 'cancel').mockResolvedValue()
    vi.spyOn(fakeBrowser.downloads, 'erase').mockResolvedValue([])
    // The upload after it needs site access, which the fake does not grant.
    vi.spyOn(fakeBrowser.permissions, 'contains').mockResolvedValue(false)
    await catchDownload({
      id: 8,
      url: 'https://tracker.example/get/ubuntu.torrent',
      filename: 'ubuntu.torrent',
    })
    expect(cancel).toHaveBeenCalledWith(8)
  })
})
