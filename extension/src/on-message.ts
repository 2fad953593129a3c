// The background's side of runtime messages: decide who may ask for what, then do it.
import { browser } from 'wxt/browser'
import { pollJobs } from './jobs-poller.ts'
import { decideMessage } from './messages.ts'
import { sendAndNotify } from './send-and-notify.ts'
import { preferencesItem } from './storage.ts'

export async function onMessage(
  message: unknown,
  sender: Parameters<typeof decideMessage>[1],
): Promise<void> {
  const own = { id: browser.runtime.id, baseUrl: browser.runtime.getURL('/') }
  const decision = decideMessage(message, sender, own)
  if (decision.action === 'poll') return pollJobs()
  if (decision.action === 'send') {
    // The content script's copy of the setting may be stale (it starts from the default until
    // storage answers): the stored one decides.
    if ((await preferencesItem.getValue()).catchMagnetClicks) return sendAndNotify(decision.target)
    return refuse('magnet clicks are not caught (turned off in the options)')
  }
  return refuse(decision.reason)
}

function refuse(reason: string): void {
  // No notification: nothing the user did asked for one, and a page must not be able to show any.
  console.warn(JSON.stringify({ msg: 'refused a message', reason }))
}
