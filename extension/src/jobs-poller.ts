// The background's view of the user's jobs: every poll refreshes the popup's cache, the badge,
// and announces completions and failures once each.
import { browser } from 'wxt/browser'
import { describeFailure } from './failures.ts'
import {
  activeJobCount,
  badgeText,
  completionMessage,
  jobsToNotify,
  rememberNotified,
} from './job-alerts.ts'
import { showNotification } from './notifications.ts'
import { clientFor } from './server.ts'
import { connectionItem, jobCacheItem, notifiedJobsItem } from './storage.ts'

export const POLL_ALARM = 'tseeder:poll-jobs'

/** The shortest period browsers allow for alarms (Chrome 120+, Firefox). */
const POLL_PERIOD_MINUTES = 0.5

let running: Promise<void> = Promise.resolve()

/**
 * Polls once. Polls are chained, never concurrent, so two triggers close together (an alarm and
 * a send) cannot both announce the same job.
 */
export function pollJobs(): Promise<void> {
  running = running.then(pollOnce, pollOnce)
  return running
}

async function pollOnce(): Promise<void> {
  const connection = await connectionItem.getValue()
  if (!connection || connection.revoked) {
    await setBadge(connection?.revoked ? '!' : '')
    return
  }
  let jobs
  try {
    ;({ jobs } = await clientFor(connection).listJobs({ query: { limit: 100 } }))
  } catch (error) {
    const failure = describeFailure(error, connection.serverUrl)
    if (failure.kind === 'revoked') await markRevoked()
    else console.warn(JSON.stringify({ msg: 'job poll failed', reason: failure.message }))
    return
  }
  await jobCacheItem.setValue({
    serverUrl: connection.serverUrl,
    jobs,
    fetchedAt: new Date().toISOString(),
  })
  await setBadge(badgeText(activeJobCount(jobs)))

  const notified = await notifiedJobsItem.getValue()
  const due = jobsToNotify(jobs, notified, connection.connectedAt)
  if (due.length === 0) return
  // Remembered before showing: a crash in between loses a notification rather than repeating it.
  await notifiedJobsItem.setValue(
    rememberNotified(
      notified,
      due.map((job) => job.id),
    ),
  )
  for (const job of due) {
    const { title, message } = completionMessage(job)
    await showNotification({ kind: 'job', jobId: job.id }, title, message)
  }
}

/** Remembers that the server refused the token, so every screen asks to reconnect. */
export async function markRevoked(): Promise<void> {
  const connection = await connectionItem.getValue()
  if (connection && !connection.revoked) {
    await connectionItem.setValue({ ...connection, revoked: true })
  }
  await setBadge('!')
}

async function setBadge(text: string): Promise<void> {
  // Chrome (MV3) has `action`; Firefox's MV2 build has `browserAction`.
  const action = browser.action ?? browser.browserAction
  await action.setBadgeText({ text })
  if (text) await action.setBadgeBackgroundColor({ color: text === '!' ? '#b3261e' : '#2f5bea' })
}

export async function schedulePolling(): Promise<void> {
  const existing = await browser.alarms.get(POLL_ALARM)
  if (!existing || existing.periodInMinutes !== POLL_PERIOD_MINUTES) {
    await browser.alarms.create(POLL_ALARM, { periodInMinutes: POLL_PERIOD_MINUTES })
  }
}
