import type { FileLink, JobFile } from '@tseeder/shared'
import { api } from '../../app/api.ts'
import { errorMessage } from '../../ui/states.tsx'
import { toast } from '../../ui/toast.tsx'

const clock = new Intl.DateTimeFormat(undefined, { timeStyle: 'short' })

function fileName(file: JobFile): string {
  return file.path.split('/').pop() ?? file.path
}

/** A fresh signed link to a file, made absolute so it works when pasted elsewhere. */
async function fileLink(file: JobFile): Promise<FileLink> {
  const link = await api.createFileLink({ params: { id: file.id } })
  return { ...link, url: new URL(link.url, window.location.href).href }
}

/** Starts the browser's download of a file through a fresh signed link. */
export async function downloadFile(file: JobFile): Promise<void> {
  try {
    const { url } = await fileLink(file)
    const anchor = document.createElement('a')
    anchor.href = url
    anchor.download = fileName(file)
    anchor.rel = 'noopener'
    document.body.append(anchor)
    anchor.click()
    anchor.remove()
  } catch (error) {
    toast(`Could not download ${fileName(file)}: ${errorMessage(error)}`, { tone: 'error' })
  }
}

/**
 * Writes text that is still being made to the clipboard. It is written as a promise where the
 * browser allows it (`ClipboardItem`), so Safari still counts the click as the user's gesture.
 */
export async function copyPromisedText(text: Promise<string>): Promise<void> {
  if (typeof ClipboardItem !== 'undefined' && navigator.clipboard?.write) {
    try {
      await navigator.clipboard.write([
        new ClipboardItem({
          'text/plain': text.then((made) => new Blob([made], { type: 'text/plain' })),
        }),
      ])
      return
    } catch (error) {
      // Some browsers refuse promised clipboard items; the plain text path still works there.
      if (!(error instanceof DOMException)) throw error
    }
  }
  await navigator.clipboard.writeText(await text)
}

/** Copies a fresh signed link to the clipboard (see `copyPromisedText`). */
export async function copyFileLink(file: JobFile): Promise<void> {
  let expiresAt = ''
  const link = fileLink(file).then((made) => {
    expiresAt = made.expiresAt
    return made.url
  })
  try {
    await copyPromisedText(link)
    toast(
      `Link to ${fileName(file)} copied. It works until ${clock.format(new Date(expiresAt))}.`,
      {
        tone: 'success',
      },
    )
  } catch (error) {
    const url = await link.catch(() => null)
    toast(
      url
        ? `The browser did not allow copying. The link is: ${url}`
        : `Could not make a link to ${fileName(file)}: ${errorMessage(error)}`,
      { tone: 'error', timeoutMs: 20_000 },
    )
  }
}
