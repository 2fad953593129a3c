import { formatBytes, formatPercent, type JobFile } from '@tseeder/shared'
import { ProgressBar } from '@tseeder/shared/ui'
import { useEffect, useRef, useState } from 'react'
import { FileIcon } from './file-icon.tsx'
import { type FolderNode, selectionOf, toggleSubtree, type TreeNode } from './file-tree-model.ts'

export interface FileTreeProps {
  root: FolderNode
  /** What each file row offers (download, copy, play); absent in choosing mode. */
  renderFileActions?: (file: JobFile) => React.ReactNode
  /** What each folder row offers (a zip of it); absent in choosing mode. */
  renderFolderActions?: (folder: FolderNode) => React.ReactNode
  /** Choosing mode: checkboxes on every file and folder. */
  selection?: { selected: ReadonlySet<number>; onChange(next: Set<number>): void }
}

/** The job's files as nested folders that open and close, optionally with checkboxes. */
export function FileTree({
  root,
  renderFileActions,
  renderFolderActions,
  selection,
}: FileTreeProps) {
  return (
    <ul className="file-tree" data-choosing={selection ? true : undefined}>
      {root.children.map((node) => (
        <TreeRow
          key={`${node.kind}:${node.path}`}
          node={node}
          depth={0}
          renderFileActions={renderFileActions}
          renderFolderActions={renderFolderActions}
          selection={selection}
        />
      ))}
    </ul>
  )
}

interface RowProps extends Omit<FileTreeProps, 'root'> {
  node: TreeNode
  depth: number
}

function TreeRow({ node, depth, renderFileActions, renderFolderActions, selection }: RowProps) {
  if (node.kind === 'file') {
    const { file } = node
    const pending = !selection && file.selected && !file.available
    const skipped = !selection && !file.selected
    return (
      <li className="tree-file" data-pending={pending || undefined}>
        <div className="tree-row" style={{ '--depth': depth } as React.CSSProperties}>
          {selection ? (
            <label className="tree-check">
              <input
                type="checkbox"
                checked={selection.selected.has(file.index)}
                onChange={(event) =>
                  selection.onChange(toggleSubtree(node, selection.selected, event.target.checked))
                }
              />
              <span className="tree-name" title={node.name}>
                <FileIcon mimeType={file.mimeType} />
                {node.name}
              </span>
            </label>
          ) : (
            <span className="tree-name" title={node.path}>
              <FileIcon mimeType={file.mimeType} />
              {node.name}
            </span>
          )}
          <span className="tree-size">{formatBytes(file.size)}</span>
          {pending && <FileProgress file={file} />}
          {skipped && <span className="tree-note">Not downloaded</span>}
          {file.available && renderFileActions && (
            <span className="tree-actions">{renderFileActions(file)}</span>
          )}
        </div>
      </li>
    )
  }
  return (
    <FolderRow
      node={node}
      depth={depth}
      renderFileActions={renderFileActions}
      renderFolderActions={renderFolderActions}
      selection={selection}
    />
  )
}

/** A file still downloading: "Pending" until its agent reports bytes, then a bar and figures. */
function FileProgress({ file }: { file: JobFile }) {
  const bytes = file.bytesDownloaded
  if (bytes === undefined || bytes === 0) return <span className="tree-note">Pending</span>
  const pct = file.size ? (bytes / file.size) * 100 : 100
  return (
    <span className="tree-progress">
      <ProgressBar value={pct} label={`Progress of ${file.path}`} />
      <span className="tree-note">
        {formatPercent(pct)} · {formatBytes(bytes)} of {formatBytes(file.size)}
      </span>
    </span>
  )
}

function FolderRow({
  node,
  depth,
  renderFileActions,
  renderFolderActions,
  selection,
}: RowProps & { node: FolderNode }) {
  // Big deep trees start folded below the second level so a season pack does not fill the phone.
  const [open, setOpen] = useState(depth < 2 || node.fileCount <= 12)
  const state = selection ? selectionOf(node, selection.selected) : 'none'
  const checkbox = useRef<HTMLInputElement>(null)
  useEffect(() => {
    if (checkbox.current) checkbox.current.indeterminate = state === 'some'
  }, [state])
  const listId = `folder-${node.path.replace(/[^A-Za-z0-9_-]/g, '_')}-${depth}`

  return (
    <li className="tree-folder">
      <div className="tree-row" style={{ '--depth': depth } as React.CSSProperties}>
        {selection && (
          <input
            ref={checkbox}
            type="checkbox"
            className="tree-folder-check"
            aria-label={`Select folder ${node.name}`}
            checked={state === 'all'}
            onChange={(event) =>
              selection.onChange(toggleSubtree(node, selection.selected, event.target.checked))
            }
          />
        )}
        <button
          type="button"
          className="tree-toggle"
          aria-expanded={open}
          aria-controls={listId}
          onClick={() => setOpen(!open)}
        >
          <span className="tree-caret" aria-hidden="true">
            {open ? '▾' : '▸'}
          </span>
          <span className="tree-name" title={node.path}>
            <FileIcon mimeType={null} />
            {node.name}
          </span>
        </button>
        <span className="tree-size">
          {formatBytes(node.size)}
          <span className="tree-count">
            {' '}
            · {node.fileCount} {node.fileCount === 1 ? 'file' : 'files'}
          </span>
        </span>
        {!selection && renderFolderActions && (
          <span className="tree-actions">{renderFolderActions(node)}</span>
        )}
      </div>
      <ul id={listId} hidden={!open}>
        {node.children.map((child) => (
          <TreeRow
            key={`${child.kind}:${child.path}`}
            node={child}
            depth={depth + 1}
            renderFileActions={renderFileActions}
            renderFolderActions={renderFolderActions}
            selection={selection}
          />
        ))}
      </ul>
    </li>
  )
}
