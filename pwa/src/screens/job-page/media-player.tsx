import type { JobFile } from '@tseeder/shared'
import { useEffect, useId, useRef, useState } from 'react'

export interface MediaPlayerProps {
  file: JobFile
  /** A signed `/dl/` link; it answers `Range` requests, so seeking streams only what is needed. */
  url: string
  onClose(): void
}

/** An in-page player for one file; its own chunk, loaded on the first Play. */
export default function MediaPlayer({ file, url, onClose }: MediaPlayerProps) {
  const headingId = useId()
  const heading = useRef<HTMLHeadingElement>(null)
  const [failed, setFailed] = useState(false)
  const name = file.path.split('/').pop() ?? file.path
  const isVideo = file.mimeType.startsWith('video/')

  useEffect(() => {
    setFailed(false)
    heading.current?.focus()
    heading.current?.scrollIntoView?.({ block: 'nearest', behavior: 'smooth' })
  }, [url])

  const media = {
    src: url,
    controls: true,
    autoPlay: true,
    preload: 'metadata',
    onError: () => setFailed(true),
    'aria-labelledby': headingId,
  } as const

  return (
    <section className="player card" aria-labelledby={headingId}>
      <div className="player-head">
        <h3 id={headingId} ref={heading} tabIndex={-1} className="player-title">
          Playing {name}
        </h3>
        <button type="button" className="button button-small" onClick={onClose}>
          Close player
        </button>
      </div>
      {isVideo ? (
        <video {...media} playsInline className="player-media" />
      ) : (
        <audio {...media} className="player-media player-audio" />
      )}
      {failed && (
        <p className="player-error" role="alert">
          This browser cannot play {name} ({file.mimeType}). Download it and open it in a player app
          instead.
        </p>
      )}
    </section>
  )
}
