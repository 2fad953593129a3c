import type { JobFile } from '@tseeder/shared'
import { cleanup, fireEvent, render, screen } from '@testing-library/react'
import { useState } from 'react'
import { afterEach, describe, expect, it } from 'vitest'
import { FileTree } from './file-tree.tsx'
import { buildFileTree, withLiveFileBytes } from './file-tree-model.ts'

const files: JobFile[] = [
  ['Show/ep1.mp4', 100, true],
  ['Show/ep2.mp4', 200, false],
  ['notes.txt', 5, true],
].map(([path, size, available], index) => ({
  id: `f${index}`,
  index,
  path: path as string,
  size: size as number,
  mimeType: 'video/mp4',
  selected: true,
  available: available as boolean,
}))

afterEach(cleanup)

function Chooser() {
  const [selected, setSelected] = useState<Set<number>>(new Set())
  return (
    <>
      <FileTree root={buildFileTree(files)} selection={{ selected, onChange: setSelected }} />
      <output>{[...selected].sort().join(',')}</output>
    </>
  )
}

describe('FileTree', () => {
  it('selects and clears a whole folder from its checkbox', () => {
    render(<Chooser />)
    const folder = screen.getByRole('checkbox', { name: 'Select folder Show' })
    fireEvent.click(folder)
    expect(screen.getByRole('status', { hidden: true }).textContent).toBe('0,1')
    expect(screen.getByRole('checkbox', { name: /ep1\.mp4/ })).toHaveProperty('checked', true)
    fireEvent.click(screen.getByRole('checkbox', { name: /ep2\.mp4/ }))
    expect(folder).toHaveProperty('indeterminate', true)
    fireEvent.click(folder)
    expect(screen.getByRole('status', { hidden: true }).textContent).toBe('0,1')
    fireEvent.click(folder)
    expect(screen.getByRole('status', { hidden: true }).textContent).toBe('')
  })

  it('offers actions only for available files and marks the rest pending', () => {
    render(
      <FileTree
        root={buildFileTree(files)}
        renderFileActions={(file) => <button type="button">Get {file.path}</button>}
      />,
    )
    expect(screen.getByRole('button', { name: 'Get Show/ep1.mp4' })).toBeTruthy()
    expect(screen.queryByRole('button', { name: 'Get Show/ep2.mp4' })).toBeNull()
    expect(screen.getAllByText('Pending')).toHaveLength(1)
  })

  it('shows a downloading file’s bar and bytes once its agent reported some, live', () => {
    const big = { ...files[1]!, size: 30_000_000 }
    const { rerender } = render(<FileTree root={buildFileTree([big])} />)
    expect(screen.getByText('Pending')).toBeTruthy()
    const live = withLiveFileBytes([big], { 1: 12_300_000 })
    rerender(<FileTree root={buildFileTree(live)} />)
    expect(screen.queryByText('Pending')).toBeNull()
    expect(screen.getByText('41.0% · 12.3 MB of 30 MB')).toBeTruthy()
    const bar = screen.getByRole('progressbar', { name: 'Progress of Show/ep2.mp4' })
    expect(bar.getAttribute('aria-valuenow')).toBe('41')
  })

  it('folds and unfolds a folder with its button', () => {
    render(<FileTree root={buildFileTree(files)} />)
    const toggle = screen.getByRole('button', { name: /Show/ })
    expect(toggle.getAttribute('aria-expanded')).toBe('true')
    fireEvent.click(toggle)
    expect(toggle.getAttribute('aria-expanded')).toBe('false')
    expect(screen.getByText('ep1.mp4').closest('ul')?.hidden).toBe(true)
  })

  it("offers each folder's actions, but not while choosing files", () => {
    render(
      <FileTree
        root={buildFileTree(files)}
        renderFolderActions={(folder) => <button type="button">Zip {folder.path}</button>}
      />,
    )
    expect(screen.getByRole('button', { name: 'Zip Show' })).toBeTruthy()
    cleanup()
    render(<Chooser />)
    expect(screen.queryByRole('button', { name: /^Zip/ })).toBeNull()
  })
})
