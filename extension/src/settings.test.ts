import { describe, expect, it } from 'vitest'
import { parseApiToken, parseServerUrl, serverUrlPreview, tokenPageUrl } from './settings.ts'

describe('settings validation', () => {
  it('keeps only the origin of the server URL and asks for the host on any port', () => {
    expect(parseServerUrl(' https://tseeder.example.com/jobs?x=1 ')).toEqual({
      ok: true,
      value: { origin: 'https://tseeder.example.com', permission: 'https://tseeder.example.com/*' },
    })
    expect(parseServerUrl('http://127.0.0.1:8787')).toEqual({
      ok: true,
      value: { origin: 'http://127.0.0.1:8787', permission: 'http://127.0.0.1/*' },
    })
  })

  it('assumes https for a bare host name', () => {
    const parsed = parseServerUrl('tseeder.app')
    expect(parsed.ok && parsed.value.origin).toBe('https://tseeder.app')
  })

  it('assumes http for a bare address on this computer (loopback or localhost), https elsewhere', () => {
    const origin = (input: string) => {
      const parsed = parseServerUrl(input)
      return parsed.ok ? parsed.value.origin : parsed.message
    }
    expect(origin('127.0.0.1:8787')).toBe('http://127.0.0.1:8787')
    expect(origin('localhost:8787')).toBe('http://localhost:8787')
    expect(origin('localhost')).toBe('http://localhost')
    expect(origin('127.0.0.2:8787/jobs')).toBe('http://127.0.0.2:8787')
    expect(origin('[::1]:8787')).toBe('http://[::1]:8787')
    expect(origin('tseeder.example.com:8787')).toBe('https://tseeder.example.com:8787')
    expect(origin('192.168.1.10:8787')).toBe('https://192.168.1.10:8787')
    // Typed in full, the scheme is kept.
    expect(origin('https://localhost:8787')).toBe('https://localhost:8787')
  })

  it('says where it will connect, once the field reads as an address', () => {
    expect(serverUrlPreview('127.0.0.1:8787')).toBe('Connects to http://127.0.0.1:8787')
    expect(serverUrlPreview('tseeder.app/')).toBe('Connects to https://tseeder.app')
    expect(serverUrlPreview('')).toBeNull()
    expect(serverUrlPreview('http://tseeder.example.com')).toBeNull()
  })

  it('refuses plain http to another computer, since the token would travel unencrypted', () => {
    const parsed = parseServerUrl('http://tseeder.example.com')
    expect(parsed.ok).toBe(false)
    expect(!parsed.ok && parsed.message).toMatch(/https/)
  })

  it('refuses empty input, other schemes and addresses that are not URLs', () => {
    expect(parseServerUrl('   ').ok).toBe(false)
    expect(parseServerUrl('ftp://tseeder.example.com').ok).toBe(false)
    expect(parseServerUrl('https://exa mple.com').ok).toBe(false)
    expect(parseServerUrl('https://me:pw@tseeder.app').ok).toBe(false)
  })

  it('accepts a tseeder API token and trims the whitespace a paste brings', () => {
    const token = 'tsd_' + 'A1b2-C3d4_E5f6G7h8I9j0'
    expect(parseApiToken(`  ${token}\n`)).toEqual({ ok: true, value: token })
  })

  it('refuses an empty token, a password or a token cut short', () => {
    expect(parseApiToken('').ok).toBe(false)
    expect(parseApiToken('my password').ok).toBe(false)
    expect(parseApiToken('tsd_abc').ok).toBe(false)
  })

  it('links to the token page of the configured server', () => {
    expect(tokenPageUrl('https://tseeder.app')).toBe('https://tseeder.app/settings/tokens')
  })
})
