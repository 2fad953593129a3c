// A send from the context menu, a caught click or a caught download: never silent, it always
// ends in a notification with the job's name or the reason it was refused.
import { describeFailure } from './failures.ts'
import { markRevoked, pollJobs } from './jobs-poller.ts'
import type { SendTarget } from './sendable-links.ts'
import { showNotification } from './notifications.ts'
import { InvalidLinkError, sendTarget } from './send.ts'
import { clientFor } from './server.ts'
import { hasSiteAccess } from './site-access.ts'
import { connectionItem } from './storage.ts'
import { TorrentFetchError } from './torrent-file.ts'

export async function sendAndNotify(target: SendTarget): Promise<void> {
  const connection = await connectionItem.getValue()
  if (!connection || connection.revoked) {
    await showNotification(
      { kind: 'options' },
      'Not sent: tseeder is not connected',
      connection?.revoked
        ? 'The API token was revoked. Click to reconnect in the options, then send it again.'
        : 'Click to connect the extension to your tseeder server, then send it again.',
    )
    return
  }
  try {
    if (target.kind === 'torrent' && !(await hasSiteAccess(target.url))) {
      throw new TorrentFetchError(
        `tseeder may not read .torrent files from ${new URL(target.url).host} yet. Allow it in the extension\u2019s options ("Read .torrent files with your cookies"), then send it again.`,
      )
    }
    const { job, created } = await sendTarget(target, { api: clientFor(connection) })
    await showNotification(
      { kind: 'job', jobId: job.id },
      created ? 'Sent to tseeder' : 'Already in tseeder',
      `${created ? 'Sent' : 'Already in your list'}: ${job.name}`,
    )
    void pollJobs()
  } catch (error) {
    if (error instanceof TorrentFetchError || error instanceof InvalidLinkError) {
      await showNotification({ kind: 'options' }, 'Not sent', error.message)
      return
    }
    const failure = describeFailure(error, connection.serverUrl)
    if (failure.kind === 'revoked') await markRevoked()
    await showNotification({ kind: 'options' }, 'Not sent', failure.message)
  }
}
