import type { LinkListFormat } from '@tseeder/shared'

export interface LinkedFile {
  /** The file's path in the job, as the web app shows it (`/`-separated, already sanitised). */
  path: string
  url: string
}

/** No line breaks or other control characters may reach a list: one would start a new entry. */
function oneLine(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\u0000-\u001f\u007f]/g, '_')
}

/** A string in curl's config file syntax: double quotes, with `\` and `"` escaped. */
function curlQuoted(text: string): string {
  return `"${oneLine(text).replace(/[\\"]/g, (ch) => `\\${ch}`)}"`
}

/**
 * aria2's input file (`aria2c -i list.aria2`): each URL on its own line, followed by indented
 * options; `out=` keeps the job's folders under aria2's download directory.
 */
function aria2(files: LinkedFile[]): string {
  return files.map((f) => `${oneLine(f.url)}\n  out=${oneLine(f.path)}\n`).join('')
}

function urls(files: LinkedFile[]): string {
  return files.map((f) => `${oneLine(f.url)}\n`).join('')
}

/**
 * A shell script that runs one `curl --parallel`, reading its URLs and output paths from a
 * config on standard input (a here-document), so ten thousand files do not overflow the
 * command line and no path is ever parsed by the shell.
 */
function curlScript(files: LinkedFile[], title: string, expiresAt: Date): string {
  const config = files
    .map((f) => `url = ${curlQuoted(f.url)}\noutput = ${curlQuoted(f.path)}\n`)
    .join('')
  return (
    `#!/bin/sh\n# ${oneLine(title)}: ${files.length} file(s); links valid until ${expiresAt.toISOString()}\n` +
    `exec curl --parallel --parallel-max 4 --fail --location --create-dirs --continue-at - --config - <<'TSEEDER_LINKS'\n` +
    `${config}TSEEDER_LINKS\n`
  )
}

const CONTENT_TYPES: Record<LinkListFormat, string> = {
  aria2: 'text/plain; charset=utf-8',
  urls: 'text/uri-list; charset=utf-8',
  curl: 'text/x-shellscript; charset=utf-8',
}

const EXTENSIONS: Record<LinkListFormat, string> = { aria2: 'aria2', urls: 'txt', curl: 'sh' }

/** A safe file name for the list, from the job's (or folder's) name. */
export function linkListFilename(name: string, format: LinkListFormat): string {
  const base =
    oneLine(name)
      .replace(/[/\\:*?"<>|]+/g, '_')
      .trim()
      .slice(0, 100) || 'tseeder'
  return `${base}.${EXTENSIONS[format]}`
}

/**
 * Renders a link list for download managers. Pure: the links are signed by the caller.
 *
 * @example
 * renderLinkList('aria2', [{ path: 'demo/a.txt', url: 'https://x/dl/t' }], 'demo', expires)
 * // 'https://x/dl/t\n  out=demo/a.txt\n'
 */
export function renderLinkList(
  format: LinkListFormat,
  files: LinkedFile[],
  title: string,
  expiresAt: Date,
): { text: string; contentType: string } {
  const text =
    format === 'aria2'
      ? aria2(files)
      : format === 'urls'
        ? urls(files)
        : curlScript(files, title, expiresAt)
  return { text, contentType: CONTENT_TYPES[format] }
}
