// Sends a magnet or a .torrent link to tseeder as a new job.
import { type Client, type CreatedJob, createJobTelling, parseMagnet } from '@tseeder/shared'
import type { SendTarget } from './sendable-links.ts'
import { fetchTorrentFile } from './torrent-file.ts'

export interface SendDeps {
  api: Client
  /** Fetches the .torrent (with the site's cookies); injectable for tests. */
  fetch?: typeof fetch
}

/** A magnet link tseeder cannot use, with the parser's sentence for the user. */
export class InvalidLinkError extends Error {
  override readonly name = 'InvalidLinkError'
}

/**
 * Creates the job. Magnets are checked first (a broken link throws {@link InvalidLinkError}
 * with the parser's readable sentence); .torrent links are downloaded with the user's cookies and uploaded as multipart
 * `torrent`. Says whether the job is new or was already the user's. Throws the server's
 * `ApiError` as is (quota, blocked, invalid).
 */
export async function sendTarget(target: SendTarget, deps: SendDeps): Promise<CreatedJob> {
  if (target.kind === 'magnet') {
    const parsed = parseMagnet(target.magnet)
    if (!parsed.ok) throw new InvalidLinkError(parsed.message)
    return createJobTelling(deps.api, { body: { magnet: parsed.magnet } })
  }
  const { file } = await fetchTorrentFile(target.url, deps.fetch)
  const form = new FormData()
  form.set('torrent', file, file.name)
  return createJobTelling(deps.api, { body: form })
}
