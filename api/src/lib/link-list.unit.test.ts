import { describe, expect, it } from 'vitest'
import { linkListFilename, renderLinkList } from './link-list.ts'

const files = [
  { path: 'demo/a.txt', url: 'https://t.test/dl/one' },
  { path: 'demo/it\'s "b".mp4', url: 'https://t.test/dl/two' },
]
const expires = new Date('2026-01-01T00:00:00Z')

describe('renderLinkList', () => {
  it('writes an aria2 input file: each URL, then an indented out= line with its path', () => {
    expect(renderLinkList('aria2', files, 'demo', expires).text).toBe(
      'https://t.test/dl/one\n  out=demo/a.txt\nhttps://t.test/dl/two\n  out=demo/it\'s "b".mp4\n',
    )
  })

  it('writes one URL a line for the plain list', () => {
    const list = renderLinkList('urls', files, 'demo', expires)
    expect(list.text).toBe('https://t.test/dl/one\nhttps://t.test/dl/two\n')
    expect(list.contentType).toMatch(/^text\/uri-list/)
  })

  it('writes a curl --parallel script whose quoted config the shell never parses', () => {
    const { text } = renderLinkList('curl', files, 'demo', expires)
    expect(text).toContain('curl --parallel')
    expect(text).toContain("--config - <<'TSEEDER_LINKS'\n")
    expect(text).toContain('url = "https://t.test/dl/two"\noutput = "demo/it\'s \\"b\\".mp4"\n')
    expect(text.trimEnd().endsWith('TSEEDER_LINKS')).toBe(true)
  })

  it('never lets a line break in a name start a new entry', () => {
    const hostile = [{ path: 'a\n  out=/etc/passwd', url: 'https://t.test/dl/x' }]
    expect(renderLinkList('aria2', hostile, 'x', expires).text).toBe(
      'https://t.test/dl/x\n  out=a_  out=/etc/passwd\n',
    )
  })

  it('names the file after the job, without characters file systems refuse', () => {
    expect(linkListFilename('My: "show"/S1', 'aria2')).toBe('My_ _show_S1.aria2')
    expect(linkListFilename('', 'curl')).toBe('tseeder.sh')
  })
})
