import type { JobFile } from '@tseeder/shared'
import { useEffect, useId, useRef, useState } from 'react'
import { readTextPreview, type TextPreview } from './text-preview.ts'

export interface FilePreviewProps {
  file: JobFile
  kind: 'image' | 'text'
  /** A signed `/dl/` link, as the player gets. */
  url: string
  onClose(): void
}

/** A picture or the start of a text file, shown in the page; its own chunk, like the player. */
export default function FilePreview({ file, kind, url, onClose }: FilePreviewProps) {
  const headingId = useId()
  const heading = useRef<HTMLHeadingElement>(null)
  const [failed, setFailed] = useState(false)
  const [text, setText] = useState<TextPreview | null>(null)
  const name = file.path.split('/').pop() ?? file.path

  useEffect(() => {
    setFailed(false)
    heading.current?.focus()
    heading.current?.scrollIntoView?.({ block: 'nearest', behavior: 'smooth' })
  }, [url])

  useEffect(() => {
    if (kind !== 'text') return
    let cancelled = false
    setText(null)
    void readTextPreview(url, file.size).then((preview) => !cancelled && setText(preview))
    return () => {
      cancelled = true
    }
  }, [kind, url, file.size])

  return (
    <section className="player card" aria-labelledby={headingId}>
      <div className="player-head">
        <h3 id={headingId} ref={heading} tabIndex={-1} className="player-title">
          Showing {name}
        </h3>
        <button type="button" className="button button-small" onClick={onClose}>
          Close preview
        </button>
      </div>
      {kind === 'image' ? (
        failed ? (
          <p className="player-error" role="alert">
            This browser cannot show {name} ({file.mimeType}). Download it to open it.
          </p>
        ) : (
          <img src={url} alt={name} className="preview-image" onError={() => setFailed(true)} />
        )
      ) : text === null ? (
        <p className="muted small" role="status">
          Reading {name}…
        </p>
      ) : text.state === 'failed' ? (
        <p className="player-error" role="alert">
          {text.message}
        </p>
      ) : (
        <>
          {text.note && <p className="muted small">{text.note}</p>}
          <pre className="preview-text" tabIndex={0} aria-label={`Text of ${name}`}>
            {text.text}
          </pre>
        </>
      )}
    </section>
  )
}
