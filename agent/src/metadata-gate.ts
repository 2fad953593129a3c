import {
  type AgentStartBody,
  type FileEntry,
  type JobLimits,
  sanitizePathSegment,
  sanitizeTorrentPaths,
} from '@tseeder/shared'
import type { EngineMetadata } from './engine/torrent-engine.ts'

/** A torrent's files as the agent keeps them: sanitised paths, a clean name, the selection. */
export interface FileListing {
  files: FileEntry[]
  name: string
  /** Indexes of the files to download: the job's selection that exists, sorted, no repeats. */
  selected: number[]
}

/** The selected files and their total size. */
export interface Selection {
  files: FileEntry[]
  total: number
}

/** Whether a job may download what its metadata describes; a refusal is the job's failure. */
export type GateVerdict =
  | ({ ok: true; selected: number[] } & Selection)
  | { ok: false; code: string; message: string; retryable: boolean }

export interface DiskSpace {
  freeBytes: number
  /** Bytes the agent keeps free whatever the jobs need. */
  reserveBytes: number
}

/**
 * Turns the engine's raw (hostile) metadata into the job's file listing: every path is
 * sanitised, and the job's `selectedFiles` (all files when absent) is kept to indexes that exist.
 */
export function listFiles(
  metadata: EngineMetadata,
  start: Pick<AgentStartBody, 'infohash' | 'selectedFiles'>,
): FileListing {
  const paths = sanitizeTorrentPaths(metadata.files.map((f) => f.segments))
  const files = metadata.files.map((f, position) => ({
    index: f.index,
    path: paths[position]!,
    size: f.length,
  }))
  const wanted = start.selectedFiles
  const listed = new Set(files.map((f) => f.index))
  return {
    files,
    name: sanitizePathSegment(metadata.name) ?? start.infohash,
    selected: wanted
      ? [...new Set(wanted)].filter((i) => listed.has(i)).sort((a, b) => a - b)
      : files.map((f) => f.index),
  }
}

/**
 * The file with the torrent's index `index`. Indexes are the torrent's own and may have gaps
 * (padding files are never listed), so `files[index]` is not that file.
 */
export function fileWithIndex(files: readonly FileEntry[], index: number): FileEntry | undefined {
  return files.find((f) => f.index === index)
}

export function selectionOf(files: readonly FileEntry[], selected: readonly number[]): Selection {
  const byIndex = new Map(files.map((f) => [f.index, f]))
  const chosen = selected.flatMap((i) => byIndex.get(i) ?? [])
  return { files: chosen, total: chosen.reduce((sum, f) => sum + f.size, 0) }
}

/**
 * Checks a job's listing before a byte is downloaded: something must be selected, no file may be
 * over the plan's maximum, the selection must fit the storage left on the plan (both final), and
 * the agent's disk must hold it above the reserve (retryable: another agent may have room).
 */
export function checkMetadata(
  listing: Pick<FileListing, 'files' | 'selected'>,
  limits: JobLimits,
  disk: DiskSpace,
): GateVerdict {
  const refuse = (code: string, message: string, retryable = false): GateVerdict => ({
    ok: false,
    code,
    message,
    retryable,
  })
  if (listing.selected.length === 0) {
    return refuse('invalid_selection', 'None of the selected files exist in this torrent.')
  }
  const { files, total } = selectionOf(listing.files, listing.selected)
  const { maxFileBytes, remainingStorageBytes } = limits
  const tooBig = maxFileBytes === null ? undefined : files.find((f) => f.size > maxFileBytes)
  if (tooBig) {
    return refuse(
      'quota_exceeded',
      `File ${tooBig.index} is ${tooBig.size} bytes, over the plan's maximum file size of ${maxFileBytes} bytes.`,
    )
  }
  if (remainingStorageBytes !== null && total > remainingStorageBytes) {
    return refuse(
      'quota_exceeded',
      `The selected files total ${total} bytes, over the ${remainingStorageBytes} bytes of storage left on the plan.`,
    )
  }
  if (disk.freeBytes - total < disk.reserveBytes) {
    return refuse('disk_full', 'The agent has not enough free disk for this torrent.', true)
  }
  return { ok: true, selected: listing.selected, files, total }
}
