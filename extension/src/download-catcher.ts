// Catches .torrent downloads: the browser's download is cancelled and erased, and the file is
// fetched again by the extension (with the site's cookies) and uploaded to tseeder instead.
import { browser } from 'wxt/browser'
import { type DownloadLike, isTorrentDownload } from './sendable-links.ts'
import { sendAndNotify } from './send-and-notify.ts'
import { connectionItem, preferencesItem } from './storage.ts'

/** Downloads already taken over: Chrome reports one through two events. */
const caught = new Set<number>()

/** Takes a download over when it is a `.torrent` and catching is on (exported for tests). */
export async function catchDownload(item: DownloadLike & { id: number }): Promise<void> {
  if (caught.has(item.id) || !isTorrentDownload(item)) return
  const [preferences, connection] = await Promise.all([
    preferencesItem.getValue(),
    connectionItem.getValue(),
  ])
  if (!preferences.catchTorrentDownloads || !connection || caught.has(item.id)) return
  // A file of the user's own jobs (the popup's Download, or the web app's) is what they asked for.
  if (new URL(item.finalUrl || item.url).origin === connection.serverUrl) return
  caught.add(item.id)
  try {
    await browser.downloads.cancel(item.id)
    await browser.downloads.erase({ id: item.id })
  } catch (error) {
    console.warn(
      JSON.stringify({ msg: 'could not cancel a caught download', error: String(error) }),
    )
  }
  await sendAndNotify({ kind: 'torrent', url: item.finalUrl || item.url })
}

export function listenForDownloads(): void {
  browser.downloads.onCreated.addListener((item) => void catchDownload(item))
  // Chrome only: the file name (from Content-Disposition) is known here, not at creation. The
  // listener must let the download go on by itself, so it suggests nothing.
  browser.downloads.onDeterminingFilename?.addListener((item, suggest) => {
    suggest()
    void catchDownload(item)
  })
}
