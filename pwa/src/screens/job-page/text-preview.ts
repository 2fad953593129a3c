import { formatBytes } from '@tseeder/shared'

/** Text previews read at most this much of a file: enough to recognise it, cheap on bandwidth. */
export const TEXT_PREVIEW_BYTES = 64_000

export type TextPreview =
  { state: 'ok'; text: string; note: string | null } | { state: 'failed'; message: string }

/**
 * Reads the start of a text file through its signed link (a `Range` request, so only the shown
 * part is charged). Never throws: a failure is a sentence for the page.
 *
 * @example const preview = await readTextPreview(url, file.size)
 */
export async function readTextPreview(
  url: string,
  size: number,
  fetcher: typeof fetch = fetch,
): Promise<TextPreview> {
  const cannot = 'This file cannot be shown here. Download it to read it.'
  try {
    const response = await fetcher(url, {
      headers: { range: `bytes=0-${TEXT_PREVIEW_BYTES - 1}` },
    })
    if (!response.ok) return { state: 'failed', message: cannot }
    const bytes = new Uint8Array(await response.arrayBuffer()).slice(0, TEXT_PREVIEW_BYTES)
    if (bytes.includes(0)) {
      return { state: 'failed', message: 'This file is not plain text. Download it to open it.' }
    }
    // A cut in the middle of a character shows as one replacement mark at the end, no more.
    const text = new TextDecoder('utf-8', { fatal: false }).decode(bytes)
    const note =
      size > bytes.length
        ? `Showing the first ${formatBytes(bytes.length)} of ${formatBytes(size)}.`
        : null
    return { state: 'ok', text, note }
  } catch {
    return { state: 'failed', message: cannot }
  }
}
