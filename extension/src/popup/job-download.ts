// Downloads from the popup: a completed job of one file through its signed link, a job of several
// as one zip. A server whose job list does not say which file or how many (no `singleFileId`) has
// the files read on Download, which then offers the zip.
import { formatBytes, type Client, type Job } from '@tseeder/shared'
import { browser } from 'wxt/browser'

/** What Download did: the file is on its way, or the job has several files to zip. */
export type DownloadOutcome = { kind: 'started' } | { kind: 'several'; summary: string }

/** Downloads the one stored file of `job`, or says how many there are when there are several. */
export async function downloadJob(
  api: Client,
  job: Job,
  serverUrl: string,
): Promise<DownloadOutcome> {
  if (job.singleFileId) {
    const link = await api.createFileLink({ params: { id: job.singleFileId } })
    await browser.downloads.download({ url: new URL(link.url, serverUrl).href })
    return { kind: 'started' }
  }
  const { files } = await api.listJobFiles({ params: { id: job.id } })
  const kept = files.filter((file) => file.selected && file.available)
  if (kept.length !== 1) {
    const bytes = kept.reduce((sum, file) => sum + file.size, 0)
    return { kind: 'several', summary: `${kept.length} files, ${formatBytes(bytes)}` }
  }
  const link = await api.createFileLink({ params: { id: kept[0]!.id } })
  await browser.downloads.download({ url: new URL(link.url, serverUrl).href })
  return { kind: 'started' }
}

/** Downloads every stored file of `job` as one zip, streamed by the server (resumable). */
export async function downloadZip(api: Client, job: Job, serverUrl: string): Promise<void> {
  const link = await api.createZipLink({ params: { id: job.id } })
  await browser.downloads.download({ url: new URL(link.url, serverUrl).href, filename: link.name })
}
