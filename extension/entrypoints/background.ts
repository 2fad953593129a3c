// First: no schema may be built before zod knows it must not use eval (the CSP forbids it).
import '@tseeder/shared/jitless'
import { browser } from 'wxt/browser'
import { defineBackground } from 'wxt/utils/define-background'
import { onMenuClick, setUpContextMenu } from '../src/context-menu.ts'
import { listenForDownloads } from '../src/download-catcher.ts'
import { onInstalled } from '../src/first-run.ts'
import { POLL_ALARM, pollJobs, schedulePolling } from '../src/jobs-poller.ts'
import { notificationTarget } from '../src/notifications.ts'
import { onMessage } from '../src/on-message.ts'
import { jobPageUrl } from '../src/server.ts'
import { connectionItem } from '../src/storage.ts'
import { protectStorage, watchMagnetCatching } from '../src/storage-access.ts'

export default defineBackground(() => {
  // Listeners are registered synchronously so events that woke the worker are not missed.
  browser.contextMenus.onClicked.addListener((info) => void onMenuClick(info))
  browser.alarms.onAlarm.addListener((alarm) => {
    if (alarm.name === POLL_ALARM) void pollJobs()
  })
  browser.runtime.onMessage.addListener((message, sender) => void onMessage(message, sender))
  browser.notifications.onClicked.addListener((id) => void openNotification(id))
  browser.runtime.onInstalled.addListener((details) => void onInstalled(details))
  listenForDownloads()
  watchMagnetCatching()
  // Registered so the worker starts with the browser and writes the content scripts' copy of the
  // setting before restored tabs are clicked; each start runs it below anyway.
  browser.runtime.onStartup.addListener(() => {})
  connectionItem.watch((connection) => {
    if (connection && !connection.revoked) void pollJobs()
  })

  void protectStorage()
  void setUpContextMenu()
  void schedulePolling()
  void pollJobs()
})

async function openNotification(id: string): Promise<void> {
  const target = notificationTarget(id)
  const connection = await connectionItem.getValue()
  if (target.kind === 'job' && connection) {
    await browser.tabs.create({ url: jobPageUrl(connection.serverUrl, target.jobId) })
  } else {
    await browser.runtime.openOptionsPage()
  }
  await browser.notifications.clear(id)
}
