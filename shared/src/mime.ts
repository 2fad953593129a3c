import mime from 'mime'

/** Types a browser would run as active content on our origin: always served as a download. */
const ACTIVE_CONTENT = /html|xml|javascript|ecmascript/

/** Where the package's answer is not what browsers play or show best. */
const OVERRIDES: Readonly<Record<string, string>> = {
  m4v: 'video/mp4',
  flac: 'audio/flac',
  nfo: 'text/plain',
}

/**
 * The one MIME table: a file's content type from its sanitised path's extension (the `mime`
 * package's database). Active content (HTML, SVG, XML, scripts) and unknown types are
 * `application/octet-stream`; text types carry `charset=utf-8`.
 *
 * @example mimeTypeOf('Show/S01E01.mkv') // 'video/x-matroska'
 */
export function mimeTypeOf(path: string): string {
  const extension = path.slice(path.lastIndexOf('.') + 1).toLowerCase()
  const type = OVERRIDES[extension] ?? mime.getType(extension)
  if (!type || ACTIVE_CONTENT.test(type)) return 'application/octet-stream'
  return type.startsWith('text/') ? `${type}; charset=utf-8` : type
}
