import type { JobFile } from '@tseeder/shared'

/**
 * True for files the page can try to play with an HTML5 media element. Kept apart from the
 * player so the job screen can decide without loading the player's chunk.
 */
export function isPlayable(file: Pick<JobFile, 'mimeType'>): boolean {
  return file.mimeType.startsWith('video/') || file.mimeType.startsWith('audio/')
}

/** How the page shows a file in place: played, shown as a picture, read as text, or not at all. */
export type PreviewKind = 'media' | 'image' | 'text' | null

/**
 * Which in-page view fits a file. The MIME table never gives active types (SVG, HTML, XML) to
 * stored files, and text is shown as text, never parsed, so no preview runs the file's content.
 */
export function previewKind(file: Pick<JobFile, 'mimeType'>): PreviewKind {
  if (isPlayable(file)) return 'media'
  if (file.mimeType.startsWith('image/')) return 'image'
  if (file.mimeType.startsWith('text/') || file.mimeType.startsWith('application/json')) {
    return 'text'
  }
  return null
}
