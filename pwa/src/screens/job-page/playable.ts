import type { JobFile } from '@tseeder/shared'

/**
 * True for files the page can try to play with an HTML5 media element. Kept apart from the
 * player so the job screen can decide without loading the player's chunk.
 */
export function isPlayable(file: Pick<JobFile, 'mimeType'>): boolean {
  return file.mimeType.startsWith('video/') || file.mimeType.startsWith('audio/')
}
