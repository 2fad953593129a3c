import { statfs } from 'node:fs/promises'

/** Bytes available to the agent's user on the file system holding `path`. */
export async function freeDiskBytes(path: string): Promise<number> {
  const stats = await statfs(path)
  return Number(stats.bavail) * Number(stats.bsize)
}
