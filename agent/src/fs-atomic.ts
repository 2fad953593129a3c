import { randomBytes } from 'node:crypto'
import { open, rename, unlink } from 'node:fs/promises'

/**
 * Writes a file so a crash leaves either the old or the new content, never a torn one. The file
 * is readable by the agent's user only (0600): job records hold storage credentials and callbacks
 * what users download, and the agent may share its host with other accounts.
 */
export async function writeFileAtomic(path: string, data: string): Promise<void> {
  const temp = `${path}.${randomBytes(4).toString('hex')}.tmp`
  // The temp name is new, so the mode applies (a umask can only take bits away).
  const handle = await open(temp, 'wx', 0o600)
  try {
    await handle.writeFile(data)
    await handle.sync()
  } finally {
    await handle.close()
  }
  try {
    await rename(temp, path)
  } catch (error) {
    await unlink(temp).catch(() => {})
    throw error
  }
}
