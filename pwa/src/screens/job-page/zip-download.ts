import { formatBytes } from '@tseeder/shared'
import { api } from '../../app/api.ts'
import { errorMessage } from '../../ui/states.tsx'
import { toast } from '../../ui/toast.tsx'

/**
 * Starts the browser's download of a ZIP of the job's stored files, or of one folder of them
 * (`folder` as the file tree names it). The archive is streamed by the server with its size known,
 * so the browser shows real progress and can resume a cut download.
 */
export async function downloadZip(jobId: string, folder?: string): Promise<void> {
  try {
    const link = await api.createZipLink({
      params: { id: jobId },
      ...(folder ? { body: { folder } } : {}),
    })
    const anchor = document.createElement('a')
    anchor.href = new URL(link.url, window.location.href).href
    anchor.download = link.name
    anchor.rel = 'noopener'
    document.body.append(anchor)
    anchor.click()
    anchor.remove()
    toast(
      `Downloading ${link.name}: ${link.files} ${link.files === 1 ? 'file' : 'files'}, ${formatBytes(link.size)}.`,
      { tone: 'success' },
    )
  } catch (error) {
    toast(`Could not make the zip: ${errorMessage(error)}`, { tone: 'error' })
  }
}
