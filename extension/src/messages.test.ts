import { fakeBrowser } from 'wxt/testing/fake-browser'
import { beforeEach, describe, expect, it, vi } from 'vitest'
import { magnetClickMessage } from './magnet-catcher.ts'
import { decideMessage } from './messages.ts'
import { onMessage } from './on-message.ts'
import * as sendAndNotify from './send-and-notify.ts'
import { DEFAULT_PREFERENCES, preferencesItem } from './storage.ts'

const MAGNET = 'magnet:?xt=urn:btih:0123456789abcdef0123456789abcdef01234567&dn=page-choice'
const OWN = { id: 'tseeder-extension', baseUrl: 'chrome-extension://tseeder-extension/' }
const CONTENT_SCRIPT = { id: OWN.id, tab: { id: 7 } as never, url: 'https://tracker.example/t/1' }
const POPUP = { id: OWN.id, url: `${OWN.baseUrl}popup.html` }
const CLICK = { type: 'tseeder:magnet-click', magnet: MAGNET, isTrusted: true }

/** A click on a magnet link, as the content script's listener receives it. */
function click(isTrusted: boolean, href = MAGNET) {
  const anchor = { getAttribute: (name: string) => (name === 'href' ? href : null) }
  const target = { closest: (selector: string) => (selector === 'a[href]' ? anchor : null) }
  return { isTrusted, target, button: 0, defaultPrevented: false } as never
}

describe('the magnet click catcher', () => {
  it('reports a person\u2019s click on a magnet link as trusted', () => {
    expect(magnetClickMessage(click(true))).toEqual(CLICK)
  })

  it('leaves a page script\u2019s click() or dispatched click alone', () => {
    expect(magnetClickMessage(click(false))).toBeNull()
  })

  it('ignores clicks on links that are not magnets', () => {
    expect(magnetClickMessage(click(true, 'https://example.com/'))).toBeNull()
  })
})

describe('messages to the background', () => {
  it('sends a trusted magnet click from its own content script in a web page', () => {
    expect(decideMessage(CLICK, CONTENT_SCRIPT, OWN)).toEqual({
      action: 'send',
      target: { kind: 'magnet', magnet: MAGNET },
    })
  })

  it('refuses a click the browser did not mark as the person\u2019s', () => {
    for (const isTrusted of [false, undefined, 'true']) {
      expect(decideMessage({ ...CLICK, isTrusted }, CONTENT_SCRIPT, OWN).action).toBe('refuse')
    }
  })

  it('refuses messages from another extension, an extension page or no tab', () => {
    expect(decideMessage(CLICK, { ...CONTENT_SCRIPT, id: 'other' }, OWN).action).toBe('refuse')
    expect(decideMessage(CLICK, { ...POPUP, tab: { id: 3 } as never }, OWN).action).toBe('refuse')
    expect(decideMessage(CLICK, { id: OWN.id, url: CONTENT_SCRIPT.url }, OWN).action).toBe('refuse')
  })

  it('refuses any other shape: a .torrent URL, extra fields, a link that is not a magnet', () => {
    const shapes = [
      { type: 'tseeder:send', target: { kind: 'magnet', magnet: MAGNET } },
      { type: 'tseeder:send', target: { kind: 'torrent', url: 'https://x.example/a.torrent' } },
      { ...CLICK, target: { kind: 'torrent', url: 'https://x.example/a.torrent' } },
      { ...CLICK, magnet: 'https://example.com/' },
      { ...CLICK, magnet: `${MAGNET}${'x'.repeat(9000)}` },
      null,
      'tseeder:magnet-click',
    ]
    for (const shape of shapes) {
      expect(decideMessage(shape, CONTENT_SCRIPT, OWN).action).toBe('refuse')
    }
  })

  it('polls only when an extension page asks', () => {
    expect(decideMessage({ type: 'tseeder:poll' }, POPUP, OWN)).toEqual({ action: 'poll' })
    expect(decideMessage({ type: 'tseeder:poll' }, CONTENT_SCRIPT, OWN).action).toBe('refuse')
  })
})

describe('the background message listener', () => {
  beforeEach(() => {
    fakeBrowser.reset()
  })

  const contentScript = () => ({
    id: fakeBrowser.runtime.id,
    tab: { id: 7 } as never,
    url: 'https://tracker.example/t/1',
  })

  it('sends a trusted click while catching is on, and nothing once it is turned off', async () => {
    const send = vi.spyOn(sendAndNotify, 'sendAndNotify').mockResolvedValue()
    await onMessage(CLICK, contentScript())
    expect(send).toHaveBeenCalledWith({ kind: 'magnet', magnet: MAGNET })

    await preferencesItem.setValue({ ...DEFAULT_PREFERENCES, catchMagnetClicks: false })
    await onMessage(CLICK, contentScript())
    expect(send).toHaveBeenCalledTimes(1)
  })

  it('sends nothing for an untrusted click', async () => {
    const send = vi.spyOn(sendAndNotify, 'sendAndNotify').mockResolvedValue()
    await onMessage({ ...CLICK, isTrusted: false }, contentScript())
    expect(send).not.toHaveBeenCalled()
  })
})
