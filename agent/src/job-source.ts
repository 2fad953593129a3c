import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { type AgentStartBody, parseMagnet } from '@tseeder/shared'
import { withPublicEndpoints } from './engine/network-policy.ts'
import type { TorrentSource } from './engine/torrent-engine.ts'
import type { Logger } from './log.ts'

/**
 * What a job adds to the engine: the saved .torrent once metadata arrived (no peers needed
 * again), else the job's own .torrent or magnet; endpoints on private networks are dropped unless
 * they are allowed.
 */
export async function jobSource(
  start: Pick<AgentStartBody, 'jobId' | 'magnet' | 'torrentBase64'>,
  jobDir: string,
  o: { privateNetworks: boolean; log: Logger },
): Promise<TorrentSource> {
  let source: TorrentSource
  try {
    source = { torrent: await readFile(join(jobDir, 'meta.torrent')) }
  } catch {
    source = start.torrentBase64
      ? { torrent: Buffer.from(start.torrentBase64, 'base64') }
      : { magnet: checkedMagnet(start.magnet!) }
  }
  if (o.privateNetworks) return source
  const filtered = await withPublicEndpoints(source)
  if (filtered.dropped.length) {
    o.log.warn(
      { jobId: start.jobId, dropped: filtered.dropped },
      'torrent endpoints on private networks dropped',
    )
  }
  return filtered.source
}

/** The rebuilt link of a magnet the API sent (checked at /start, so a refusal is a bug). */
function checkedMagnet(link: string): string {
  const magnet = parseMagnet(link)
  if (!magnet.ok) throw new Error(`The job's magnet link is not valid: ${magnet.message}`)
  return magnet.magnet
}
