// What happens right after the extension is installed: nothing works until it is connected, so
// the options page (where it is connected) opens by itself, once.
import { browser, type Browser } from 'wxt/browser'

export async function onInstalled(
  details: Pick<Browser.runtime.InstalledDetails, 'reason'>,
): Promise<void> {
  if (details.reason !== 'install') return
  await browser.runtime.openOptionsPage()
}
