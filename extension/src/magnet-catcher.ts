// Runs in web pages: a click on a magnet link goes to tseeder instead of the local torrent app,
// when the user left "Catch magnet link clicks" on.
import { looksLikeMagnet } from '@tseeder/shared/magnet'
import { browser } from 'wxt/browser'
import type { SendMessage } from './messages.ts'
import { DEFAULT_PREFERENCES, preferencesItem } from './storage.ts'

/** The magnet link a click landed on, if any (the target may be an element inside the link). */
function magnetOfClick(event: Pick<MouseEvent, 'target'>): string | null {
  const element = event.target instanceof Element ? event.target : null
  const anchor = element?.closest('a[href]')
  const href = anchor?.getAttribute('href') ?? ''
  return looksLikeMagnet(href) ? href.trim() : null
}

export function catchMagnetClicks(): void {
  // Kept in memory: the click must be cancelled synchronously, before storage could answer.
  let enabled = DEFAULT_PREFERENCES.catchMagnetClicks
  void preferencesItem.getValue().then((preferences) => (enabled = preferences.catchMagnetClicks))
  preferencesItem.watch((preferences) => (enabled = preferences.catchMagnetClicks))

  const onClick = (event: MouseEvent) => {
    if (!enabled || event.defaultPrevented || event.button > 1) return
    const magnet = magnetOfClick(event)
    if (!magnet) return
    event.preventDefault()
    event.stopPropagation()
    const message: SendMessage = { type: 'tseeder:send', target: { kind: 'magnet', magnet } }
    void browser.runtime.sendMessage(message)
  }
  // Capture phase, so page scripts that handle the click themselves do not open the link first.
  document.addEventListener('click', onClick, true)
  document.addEventListener('auxclick', onClick, true)
}
