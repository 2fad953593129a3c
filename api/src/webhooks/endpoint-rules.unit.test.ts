import { describe, expect, it } from 'vitest'
import { webhookUrlProblem, webhookUrlRules } from './endpoint-rules.ts'

const publicOnly = { localHosts: [] }

describe('webhookUrlProblem', () => {
  it('accepts https URLs on public names and addresses', () => {
    for (const url of [
      'https://example.com/hook',
      'https://hooks.example.org:8443/x?y=1',
      'https://93.184.216.34/hook',
      'https://[2606:4700::1111]/hook',
    ]) {
      expect(webhookUrlProblem(url, publicOnly), url).toBeNull()
    }
  })

  it('refuses http and other schemes, naming why', () => {
    expect(webhookUrlProblem('http://example.com/hook', publicOnly)).toBe(
      'must use https:// (http:// is not allowed)',
    )
    expect(webhookUrlProblem('ftp://example.com/', publicOnly)).toBe(
      'must use https:// (ftp:// is not allowed)',
    )
    expect(webhookUrlProblem('example.com/hook', publicOnly)).toMatch(/^must be a full URL/)
  })

  it('refuses private, loopback, link-local and metadata addresses in every spelling', () => {
    for (const url of [
      'https://127.0.0.1/',
      'https://2130706433/', // 127.0.0.1 as one number
      'https://0x7f.1/',
      'https://10.1.2.3/',
      'https://172.20.0.1/',
      'https://192.168.1.1/',
      'https://169.254.169.254/latest/meta-data',
      'https://100.64.0.1/',
      'https://0.0.0.0/',
      'https://[::1]/',
      'https://[fd00::1]/',
      'https://[fe80::1]/',
      'https://[::ffff:127.0.0.1]/',
    ]) {
      expect(webhookUrlProblem(url, publicOnly), url).toMatch(/private or reserved address/)
    }
  })

  it('refuses local and single-label host names', () => {
    expect(webhookUrlProblem('https://localhost/', publicOnly)).toMatch(/public host/)
    expect(webhookUrlProblem('https://api.localhost/', publicOnly)).toMatch(/local or reserved/)
    expect(webhookUrlProblem('https://printer.local/', publicOnly)).toMatch(/local or reserved/)
    expect(webhookUrlProblem('https://db.internal/', publicOnly)).toMatch(/local or reserved/)
    expect(webhookUrlProblem('https://intranet/', publicOnly)).toMatch(/public host/)
  })

  it('refuses credentials in the URL', () => {
    expect(webhookUrlProblem('https://u:p@example.com/', publicOnly)).toBe(
      'must not contain a user name or password',
    )
  })

  it('allows the configured local hosts over http outside production only', () => {
    const local = webhookUrlRules({ ENVIRONMENT: 'local', WEBHOOK_LOCAL_HOSTS: '127.0.0.1' })
    expect(webhookUrlProblem('http://127.0.0.1:9999/hook', local)).toBeNull()
    expect(webhookUrlProblem('http://10.0.0.1/hook', local)).toMatch(/https/)
    const production = webhookUrlRules({
      ENVIRONMENT: 'production',
      WEBHOOK_LOCAL_HOSTS: '127.0.0.1',
    })
    expect(production.localHosts).toEqual([])
    expect(webhookUrlProblem('http://127.0.0.1:9999/hook', production)).toMatch(/https/)
    expect(webhookUrlProblem('https://127.0.0.1/hook', production)).toMatch(/private/)
  })
})
