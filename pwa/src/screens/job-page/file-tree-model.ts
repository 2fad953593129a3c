import type { JobFile } from '@tseeder/shared'

export interface FileLeaf {
  kind: 'file'
  name: string
  /** The file's full sanitised path, unique within the job. */
  path: string
  size: number
  file: JobFile
}

export interface FolderNode {
  kind: 'folder'
  name: string
  /** `''` for the root, otherwise the folder's path (`a/b`). */
  path: string
  /** Sum of the sizes of every file below. */
  size: number
  fileCount: number
  children: TreeNode[]
}

export type TreeNode = FolderNode | FileLeaf

const byName = new Intl.Collator(undefined, { numeric: true, sensitivity: 'base' })

/**
 * Turns a job's flat file list into folders: paths are `/`-separated (the server sanitises them),
 * folder sizes are the sums of their files, and each level lists folders first, then files, both
 * in natural name order ("ep2" before "ep10").
 *
 * @example buildFileTree(job.files).children // top-level folders and files
 */
export function buildFileTree(files: readonly JobFile[]): FolderNode {
  const root: FolderNode = {
    kind: 'folder',
    name: '',
    path: '',
    size: 0,
    fileCount: 0,
    children: [],
  }
  for (const file of files) {
    const parts = file.path.split('/').filter((part) => part !== '')
    const name = parts.pop() ?? file.path
    let folder = root
    const trail: FolderNode[] = [root]
    for (const part of parts) {
      const path = folder.path ? `${folder.path}/${part}` : part
      let next = folder.children.find(
        (child): child is FolderNode => child.kind === 'folder' && child.name === part,
      )
      if (!next) {
        next = { kind: 'folder', name: part, path, size: 0, fileCount: 0, children: [] }
        folder.children.push(next)
      }
      folder = next
      trail.push(folder)
    }
    folder.children.push({ kind: 'file', name, path: file.path, size: file.size, file })
    for (const ancestor of trail) {
      ancestor.size += file.size
      ancestor.fileCount += 1
    }
  }
  sortTree(root)
  return root
}

function sortTree(folder: FolderNode): void {
  folder.children.sort((a, b) => {
    if (a.kind !== b.kind) return a.kind === 'folder' ? -1 : 1
    return byName.compare(a.name, b.name) || a.name.localeCompare(b.name)
  })
  for (const child of folder.children) if (child.kind === 'folder') sortTree(child)
}

/** Every file below a node (the node itself when it is a file), in tree order. */
export function filesUnder(node: TreeNode): JobFile[] {
  if (node.kind === 'file') return [node.file]
  return node.children.flatMap(filesUnder)
}

/** How much of a folder a selection of file indexes covers, for its tri-state checkbox. */
export function selectionOf(
  node: TreeNode,
  selected: ReadonlySet<number>,
): 'all' | 'some' | 'none' {
  const files = filesUnder(node)
  const count = files.filter((file) => selected.has(file.index)).length
  if (count === 0) return 'none'
  return count === files.length ? 'all' : 'some'
}

/** The selection with a whole subtree turned on or off (a folder checkbox click). */
export function toggleSubtree(
  node: TreeNode,
  selected: ReadonlySet<number>,
  on: boolean,
): Set<number> {
  const next = new Set(selected)
  for (const file of filesUnder(node)) {
    if (on) next.add(file.index)
    else next.delete(file.index)
  }
  return next
}

/** Total size of the selected files. */
export function selectedSize(files: readonly JobFile[], selected: ReadonlySet<number>): number {
  return files.reduce((sum, file) => (selected.has(file.index) ? sum + file.size : sum), 0)
}

/**
 * The files a job read brought, with the bytes the live job's events have reported since (the
 * larger count wins: within a download a file's bytes only grow, and either may be the newer).
 */
export function withLiveFileBytes(
  files: JobFile[],
  fileBytes: Readonly<Record<string, number>> | undefined,
): JobFile[] {
  if (!fileBytes) return files
  return files.map((file) => {
    const live = fileBytes[file.index]
    if (live === undefined || file.available) return file
    return {
      ...file,
      bytesDownloaded: Math.min(file.size, Math.max(live, file.bytesDownloaded ?? 0)),
    }
  })
}
