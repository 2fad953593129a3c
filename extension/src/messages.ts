// Messages to the background, and who may send each. A web page cannot call the extension's
// `runtime.sendMessage`, but it shares the DOM with the content script and can dispatch events
// there; so the background accepts a send only from its own content script in a tab, in the
// exact shape, for a click the browser marked as the person's.
import { MagnetClickMessage, PollMessage } from '@tseeder/shared'
import type { Browser } from 'wxt/browser'
import type { SendTarget } from './sendable-links.ts'

export { type MagnetClickMessage, type PollMessage } from '@tseeder/shared'

/** Asks the background to poll now (after the popup created a job). */
export const POLL_MESSAGE: PollMessage = { type: 'tseeder:poll' }

type Sender = Pick<Browser.runtime.MessageSender, 'id' | 'tab' | 'url'>

export type MessageDecision =
  { action: 'send'; target: SendTarget } | { action: 'poll' } | { action: 'refuse'; reason: string }

/** `own.baseUrl` is `runtime.getURL('/')`, under which the popup and the options page live. */
export function decideMessage(
  message: unknown,
  sender: Sender,
  own: { id: string; baseUrl: string },
): MessageDecision {
  if (sender.id !== own.id) return { action: 'refuse', reason: 'another extension' }
  const fromExtensionPage = !!sender.url?.startsWith(own.baseUrl)
  const click = MagnetClickMessage.safeParse(message)
  if (click.success) {
    // Content scripts run in web pages (http/https); an extension page has no link to catch.
    if (!sender.tab || fromExtensionPage || !/^https?:/.test(sender.url ?? '')) {
      return { action: 'refuse', reason: 'a magnet click from outside a web page' }
    }
    return { action: 'send', target: { kind: 'magnet', magnet: click.data.magnet } }
  }
  if (PollMessage.safeParse(message).success) {
    return fromExtensionPage
      ? { action: 'poll' }
      : { action: 'refuse', reason: 'a poll request from a web page' }
  }
  return { action: 'refuse', reason: 'a message of unknown shape' }
}
