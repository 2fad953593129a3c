import type { JobFile } from '@tseeder/shared'
import { describe, expect, it } from 'vitest'
import {
  buildFileTree,
  filesUnder,
  type FolderNode,
  selectedSize,
  selectionOf,
  toggleSubtree,
  withLiveFileBytes,
} from './file-tree-model.ts'

let nextIndex = 0
function file(path: string, size: number): JobFile {
  const index = nextIndex++
  return {
    id: `f${index}`,
    index,
    path,
    size,
    mimeType: 'application/octet-stream',
    selected: true,
    available: true,
  }
}

function names(folder: FolderNode): string[] {
  return folder.children.map((child) => (child.kind === 'folder' ? `${child.name}/` : child.name))
}

function folderAt(root: FolderNode, path: string): FolderNode {
  let folder = root
  for (const part of path.split('/')) {
    const next = folder.children.find((c) => c.kind === 'folder' && c.name === part)
    if (!next || next.kind !== 'folder') throw new Error(`no folder ${path}`)
    folder = next
  }
  return folder
}

describe('buildFileTree', () => {
  it('nests files under the folders named by their paths', () => {
    const root = buildFileTree([
      file('Show/Season 1/ep1.mkv', 10),
      file('Show/Season 1/ep2.mkv', 20),
      file('Show/notes.txt', 1),
    ])
    expect(names(root)).toEqual(['Show/'])
    expect(names(folderAt(root, 'Show'))).toEqual(['Season 1/', 'notes.txt'])
    expect(names(folderAt(root, 'Show/Season 1'))).toEqual(['ep1.mkv', 'ep2.mkv'])
    expect(folderAt(root, 'Show/Season 1').path).toBe('Show/Season 1')
  })

  it('sums file sizes and counts into every folder above them', () => {
    const root = buildFileTree([
      file('a/b/one.bin', 100),
      file('a/b/two.bin', 50),
      file('a/three.bin', 7),
      file('top.bin', 3),
    ])
    expect(root.size).toBe(160)
    expect(root.fileCount).toBe(4)
    expect(folderAt(root, 'a').size).toBe(157)
    expect(folderAt(root, 'a/b')).toMatchObject({ size: 150, fileCount: 2 })
  })

  it('lists folders before files, each in natural name order', () => {
    const root = buildFileTree([
      file('ep10.mp4', 1),
      file('b-folder/x', 1),
      file('ep2.mp4', 1),
      file('A-folder/y', 1),
      file('Extras.txt', 1),
    ])
    expect(names(root)).toEqual(['A-folder/', 'b-folder/', 'ep2.mp4', 'ep10.mp4', 'Extras.txt'])
  })

  it('keeps a single-file torrent as one top-level file', () => {
    const only = file('movie.mp4', 42)
    const root = buildFileTree([only])
    expect(root.children).toEqual([
      { kind: 'file', name: 'movie.mp4', path: 'movie.mp4', size: 42, file: only },
    ])
  })

  it('gives an empty root for a job with no files yet', () => {
    expect(buildFileTree([])).toMatchObject({ size: 0, fileCount: 0, children: [] })
  })
})

describe('selections', () => {
  const files = [file('d/a', 10), file('d/e/b', 20), file('c', 5)]
  const root = buildFileTree(files)
  const d = folderAt(root, 'd')

  it('finds every file below a folder', () => {
    expect(filesUnder(d).map((f) => f.path)).toEqual(['d/e/b', 'd/a'])
  })

  it('reports a folder as fully, partly or not selected', () => {
    const [a, b, c] = files.map((f) => f.index)
    expect(selectionOf(d, new Set([a!, b!]))).toBe('all')
    expect(selectionOf(d, new Set([a!]))).toBe('some')
    expect(selectionOf(d, new Set([c!]))).toBe('none')
  })

  it('selects and clears a whole subtree at once', () => {
    const c = files[2]!.index
    const on = toggleSubtree(d, new Set([c]), true)
    expect(on.size).toBe(3)
    expect(toggleSubtree(d, on, false)).toEqual(new Set([c]))
  })

  it('sums the sizes of the selected files', () => {
    expect(selectedSize(files, new Set([files[0]!.index, files[2]!.index]))).toBe(15)
  })
})

describe('withLiveFileBytes', () => {
  const read = { ...file('a.bin', 100), available: false, bytesDownloaded: 40 }
  it('takes the larger of the read’s and the live events’ counts, never past the size', () => {
    expect(withLiveFileBytes([read], { [read.index]: 60 })[0]!.bytesDownloaded).toBe(60)
    expect(withLiveFileBytes([read], { [read.index]: 20 })[0]!.bytesDownloaded).toBe(40)
    expect(withLiveFileBytes([read], { [read.index]: 900 })[0]!.bytesDownloaded).toBe(100)
    expect(withLiveFileBytes([read], undefined)).toEqual([read])
  })
})
