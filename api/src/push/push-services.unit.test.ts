import { describe, expect, it } from 'vitest'
import { isPushServiceEndpoint, pushServiceHosts } from './push-services.ts'

describe('the push service allow-list', () => {
  it('accepts the endpoints the major browsers hand out by default', () => {
    const hosts = pushServiceHosts('')
    for (const endpoint of [
      'https://fcm.googleapis.com/fcm/send/abc:def',
      'https://updates.push.services.mozilla.com/wpush/v2/gAAAA',
      'https://wns2-par02p.notify.windows.com/w/?token=BQYAAA',
      'https://web.push.apple.com/QGuQyavXutnMH',
    ]) {
      expect(isPushServiceEndpoint(endpoint, hosts), endpoint).toBe(true)
    }
  })

  it('refuses other hosts, look-alikes, explicit ports, credentials and plain http', () => {
    const hosts = pushServiceHosts(undefined)
    for (const endpoint of [
      'https://127.0.0.1:8443/x',
      'https://169.254.169.254/latest/meta-data',
      'https://fcm.googleapis.com.attacker.test/x',
      'https://notfcm.googleapis.com/x',
      'https://fcm.googleapis.com:8443/x',
      'https://user:pw@fcm.googleapis.com/x',
      'http://fcm.googleapis.com/x',
      'not a url',
    ]) {
      expect(isPushServiceEndpoint(endpoint, hosts), endpoint).toBe(false)
    }
  })

  it('reads a configured list, where *.host and host both allow the host and its subdomains', () => {
    const hosts = pushServiceHosts(' push.example.test , *.Other.Test ')
    expect(hosts).toEqual(['push.example.test', 'other.test'])
    expect(isPushServiceEndpoint('https://a.other.test/x', hosts)).toBe(true)
    expect(isPushServiceEndpoint('https://push.example.test/x', hosts)).toBe(true)
    expect(isPushServiceEndpoint('https://fcm.googleapis.com/x', hosts)).toBe(false)
  })
})
