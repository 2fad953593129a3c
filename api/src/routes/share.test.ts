import { SELF } from 'cloudflare:test'
import { describe, expect, it } from 'vitest'

function share(fields: Record<string, string | Blob>) {
  const form = new FormData()
  for (const [name, value] of Object.entries(fields)) form.set(name, value)
  return SELF.fetch('https://tseeder.test/share', {
    method: 'POST',
    body: form,
    redirect: 'manual',
  })
}

describe('POST /share before the service worker is installed', () => {
  it('carries a shared magnet link to the add page', async () => {
    const magnet = `magnet:?xt=urn:btih:${'d'.repeat(40)}&dn=Shared`
    const response = await share({ title: 'Look', text: `Here it is: ${magnet}.` })
    expect(response.status).toBe(303)
    expect(response.headers.get('location')).toBe(`/add?magnet=${encodeURIComponent(magnet)}`)
  })

  it('sends a shared file to the add page, which asks for it again', async () => {
    const response = await share({ torrent: new Blob([new Uint8Array([100])]) })
    expect(response.status).toBe(303)
    expect(response.headers.get('location')).toBe('/add?shared=1')
  })
})
