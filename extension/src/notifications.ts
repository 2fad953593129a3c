// System notifications. Their ids say what a click opens: `job:<id>` opens the job's page,
// anything else the options page.
import { browser } from 'wxt/browser'

export type NotificationTarget = { kind: 'job'; jobId: string } | { kind: 'options' }

export async function showNotification(
  target: NotificationTarget,
  title: string,
  message: string,
): Promise<void> {
  const id =
    target.kind === 'job'
      ? `job:${target.jobId}:${Date.now()}`
      : `options:${Date.now()}:${Math.random().toString(36).slice(2)}`
  await browser.notifications.create(id, {
    type: 'basic',
    iconUrl: browser.runtime.getURL('/icon/128.png'),
    title,
    message,
  })
}

/** What a notification id points at. */
export function notificationTarget(id: string): NotificationTarget {
  const [kind, jobId] = id.split(':')
  return kind === 'job' && jobId ? { kind: 'job', jobId } : { kind: 'options' }
}
