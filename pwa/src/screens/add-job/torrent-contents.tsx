import { formatBytes } from '@tseeder/shared'
import { describeTorrentSize, LISTED_FILES, shownPath, type TorrentCheck } from './torrent-check.ts'

/** The files inside a picked, checked .torrent: count, total size and the first few paths. */
export function TorrentContents({ check }: { check: Extract<TorrentCheck, { state: 'ok' }> }) {
  const more = check.files.length - LISTED_FILES
  return (
    <div className="torrent-contents" aria-label="Files in this torrent">
      <p className="small">
        <strong>{check.name}</strong> · {describeTorrentSize(check)}
      </p>
      <ul className="torrent-files small">
        {check.files.slice(0, LISTED_FILES).map((file) => (
          <li key={file.index}>
            <span title={file.path}>{shownPath(file.path, check.name)}</span>
            <span className="muted">{formatBytes(file.size)}</span>
          </li>
        ))}
      </ul>
      {more > 0 && (
        <p className="muted small">
          and {more.toLocaleString('en-US')} more {more === 1 ? 'file' : 'files'}
        </p>
      )}
    </div>
  )
}
