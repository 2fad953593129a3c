import { join } from 'node:path'
import FsChunkStore, { type FsChunkStoreOptions } from 'fs-chunk-store'

/** Folder, inside a job folder, that holds one file per torrent file, named by index. */
export const FILES_DIR = 'files'

/** On-disk location of torrent file `index` for a job: `<jobDir>/files/<index>`. */
export function indexedFilePath(jobDir: string, index: number): string {
  return join(jobDir, FILES_DIR, String(index))
}

/**
 * A chunk store class for one job that ignores every name in the torrent: file `i` is stored at
 * `<jobDir>/files/<i>`. webtorrent builds its store from the torrent's own paths (which may hold
 * `..`, absolute paths or a name of `..`); this mapping makes those names irrelevant to disk.
 */
export function jobChunkStore(jobDir: string) {
  return class JobChunkStore extends FsChunkStore {
    constructor(chunkLength: number, opts: FsChunkStoreOptions = {}) {
      const files = (opts.files ?? []).map((file, index) => ({
        path: indexedFilePath(jobDir, index),
        length: file.length,
        offset: file.offset,
      }))
      super(chunkLength, { files, length: opts.length })
    }
  }
}
