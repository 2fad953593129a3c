// Messages the content script sends to the background.
import type { SendTarget } from './sendable-links.ts'

export interface SendMessage {
  type: 'tseeder:send'
  target: SendTarget
}

export function isSendMessage(message: unknown): message is SendMessage {
  if (!message || typeof message !== 'object') return false
  const { type, target } = message as Partial<SendMessage>
  return (
    type === 'tseeder:send' &&
    !!target &&
    ((target.kind === 'magnet' && typeof target.magnet === 'string') ||
      (target.kind === 'torrent' && typeof target.url === 'string'))
  )
}

/** Asks the background to poll now (after the popup created a job). */
export const POLL_MESSAGE = { type: 'tseeder:poll' } as const

export function isPollMessage(message: unknown): boolean {
  return (message as { type?: unknown } | null)?.type === POLL_MESSAGE.type
}
