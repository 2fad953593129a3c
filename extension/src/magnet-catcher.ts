// Runs in web pages: a person's click on a magnet link goes to tseeder instead of the local
// torrent app, when they left "Catch magnet link clicks" on.
import { looksLikeMagnet } from '@tseeder/shared/magnet'
import { browser } from 'wxt/browser'
import type { MagnetClickMessage } from './messages.ts'
import { magnetCatchingSetting } from './storage-access.ts'

type Click = Pick<MouseEvent, 'target' | 'isTrusted' | 'button' | 'defaultPrevented'>

/** The magnet link a click landed on, if any (the target may be an element inside the link). */
function magnetOfClick(event: Pick<MouseEvent, 'target'>): string | null {
  const element = event.target as Partial<Element> | null
  const anchor = typeof element?.closest === 'function' ? element.closest('a[href]') : null
  const href = anchor?.getAttribute('href') ?? ''
  return looksLikeMagnet(href) ? href.trim() : null
}

/**
 * What to tell the background about a click, or null to leave the click to the page. A page
 * script's `a.click()` or `dispatchEvent` is never trusted, so a page cannot send anything by
 * itself: only a person's click on a link counts.
 */
export function magnetClickMessage(event: Click): MagnetClickMessage | null {
  if (!event.isTrusted || event.defaultPrevented || event.button > 1) return null
  const magnet = magnetOfClick(event)
  return magnet ? { type: 'tseeder:magnet-click', magnet, isTrusted: true } : null
}

export function catchMagnetClicks(setting = magnetCatchingSetting(import.meta.env.FIREFOX)): void {
  // Kept in memory: the click must be cancelled synchronously, before storage could answer.
  // Until it has answered, clicks go to the local torrent app as if catching were off.
  let enabled = false
  void setting.getValue().then((value) => (enabled = value))
  setting.watch((value) => (enabled = value))

  const onClick = (event: MouseEvent) => {
    const message = enabled ? magnetClickMessage(event) : null
    if (!message) return
    event.preventDefault()
    event.stopPropagation()
    void browser.runtime.sendMessage(message)
  }
  // Capture phase, so page scripts that handle the click themselves do not open the link first.
  document.addEventListener('click', onClick, true)
  document.addEventListener('auxclick', onClick, true)
}
