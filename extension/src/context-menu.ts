// "Send to tseeder" on magnet and .torrent links, and on selected text holding a magnet link.
import { browser } from 'wxt/browser'
import { SENDABLE_LINK_PATTERNS, targetFromMenuClick } from './sendable-links.ts'
import { showNotification } from './notifications.ts'
import { sendAndNotify } from './send-and-notify.ts'

const MENU_ID = 'send-to-tseeder'
/**
 * Selections get an item of their own: target URL patterns filter links, and a selection outside
 * any link would otherwise never match them.
 */
const SELECTION_MENU_ID = 'send-to-tseeder-selection'

export async function setUpContextMenu(): Promise<void> {
  await browser.contextMenus.removeAll()
  browser.contextMenus.create({
    id: MENU_ID,
    title: 'Send to tseeder',
    contexts: ['link'],
    targetUrlPatterns: SENDABLE_LINK_PATTERNS,
  })
  browser.contextMenus.create({
    id: SELECTION_MENU_ID,
    title: 'Send to tseeder',
    contexts: ['selection'],
  })
}

export async function onMenuClick(info: {
  menuItemId: string | number
  linkUrl?: string
  selectionText?: string
}): Promise<void> {
  if (info.menuItemId !== MENU_ID && info.menuItemId !== SELECTION_MENU_ID) return
  const target = targetFromMenuClick(info)
  if (!target) {
    await showNotification(
      { kind: 'options' },
      'Not sent',
      'There is no magnet link or .torrent link here to send.',
    )
    return
  }
  await sendAndNotify(target)
}
