import { fakeBrowser } from 'wxt/testing/fake-browser'
import { beforeEach, describe, expect, it, vi } from 'vitest'
import { onInstalled } from './first-run.ts'

describe('first run', () => {
  beforeEach(() => fakeBrowser.reset())

  it('opens the options page, where the extension is connected, when it is first installed', async () => {
    const open = vi.spyOn(fakeBrowser.runtime, 'openOptionsPage').mockResolvedValue()
    await onInstalled({ reason: 'install' })
    expect(open).toHaveBeenCalledTimes(1)
  })

  it('opens nothing on an update or a browser update', async () => {
    const open = vi.spyOn(fakeBrowser.runtime, 'openOptionsPage').mockResolvedValue()
    await onInstalled({ reason: 'update' })
    await onInstalled({ reason: 'chrome_update' })
    expect(open).not.toHaveBeenCalled()
  })
})
