import { randomBytes } from 'node:crypto'
import { open, rename, unlink } from 'node:fs/promises'

/** Writes a file so a crash leaves either the old or the new content, never a torn one. */
export async function writeFileAtomic(path: string, data: string): Promise<void> {
  const temp = `${path}.${randomBytes(4).toString('hex')}.tmp`
  const handle = await open(temp, 'w')
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
