import { describe, expect, it } from 'vitest'
import { agentCallProblem, configProblems, type ConfigEnv } from './config.ts'

const KEY_A = 'Zk3vQ9tq1mXw0bR7yL2cN8pH4sJ6dF5gA1eK3uT9iO0='
const KEY_B = 'pQ7rS2tU4vW6xY8zA0bC1dE3fG5hI7jK9lM1nO3pQ5r='
const KEY_C = 'c3RvcmVkLXNlY3JldHMta2V5LWZvci10ZXN0cy1vbmx5='

/** A production env with every check satisfied; each test breaks one thing. */
const good: ConfigEnv = {
  ENVIRONMENT: 'production',
  AGENT_MTLS: { fetch: () => null },
  TURNSTILE_SECRET: 'turnstile-secret',
  AGENT_SIGNING_KEY: KEY_A,
  LINK_SIGNING_KEY: KEY_B,
  STORED_SECRETS_KEY: KEY_C,
  VAPID_PUBLIC_KEY: 'BPublicKey',
  VAPID_PRIVATE_KEY: 'private-scalar',
}

const codes = (env: ConfigEnv, agents: { id: string; url: string }[] = []) =>
  configProblems(env, agents).map((p) => p.code)

describe('configProblems', () => {
  it('finds nothing wrong with a complete production configuration', () => {
    expect(configProblems(good, [{ id: 'a1', url: 'https://a1.example:8443/' }])).toEqual([])
  })

  it('changes nothing locally: the test and npm start configuration has no problems', () => {
    const local: ConfigEnv = { ENVIRONMENT: 'local', AGENT_SIGNING_KEY: 'test-agent-signing-key' }
    expect(configProblems(local, [{ id: 'a1', url: 'http://127.0.0.1:1/' }])).toEqual([])
    expect(agentCallProblem(local, { id: 'a1', url: 'http://127.0.0.1:1/' })).toBeNull()
  })

  it('reports agent calls without the AGENT_MTLS binding', () => {
    expect(codes({ ...good, AGENT_MTLS: undefined })).toEqual(['agent_mtls_missing'])
  })

  it('reports a missing Turnstile secret', () => {
    expect(codes({ ...good, TURNSTILE_SECRET: '' })).toEqual(['turnstile_secret_missing'])
  })

  it('reports missing, repository-known and short signing keys, each by name', () => {
    expect(codes({ ...good, AGENT_SIGNING_KEY: undefined })).toEqual(['agent_signing_key_weak'])
    expect(codes({ ...good, AGENT_SIGNING_KEY: 'test-agent-signing-key' })).toEqual([
      'agent_signing_key_weak',
    ])
    expect(codes({ ...good, LINK_SIGNING_KEY: 'test-link-signing-key' })).toEqual([
      'link_signing_key_weak',
    ])
    expect(codes({ ...good, LINK_SIGNING_KEY: 'x'.repeat(31) })).toEqual(['link_signing_key_weak'])
    expect(codes({ ...good, LINK_SIGNING_KEY: 'x'.repeat(32) })).toEqual([])
    expect(codes({ ...good, STORED_SECRETS_KEY: undefined })).toEqual(['stored_secrets_key_weak'])
    expect(codes({ ...good, STORED_SECRETS_KEY: 'test-stored-secrets-key' })).toEqual([
      'stored_secrets_key_weak',
    ])
  })

  it('reports a VAPID public key without its private key, and nothing when push is off', () => {
    expect(codes({ ...good, VAPID_PRIVATE_KEY: '' })).toEqual(['vapid_private_key_missing'])
    expect(codes({ ...good, VAPID_PUBLIC_KEY: '', VAPID_PRIVATE_KEY: '' })).toEqual([])
  })

  it('reports each agent whose registered URL is not https', () => {
    const agents = [
      { id: 'a1', url: 'https://a1.example/' },
      { id: 'a2', url: 'http://a2.example/' },
    ]
    const problems = configProblems(good, agents)
    expect(problems.map((p) => p.code)).toEqual(['agent_url_insecure'])
    expect(problems[0]!.message).toMatch(/a2/)
  })

  it('never puts a secret value in a message', () => {
    const leaky: ConfigEnv = {
      ENVIRONMENT: 'production',
      TURNSTILE_SECRET: '',
      AGENT_SIGNING_KEY: 'short-agent-key',
      LINK_SIGNING_KEY: 'test-link-signing-key',
      VAPID_PUBLIC_KEY: 'BPublicKey',
    }
    const text = JSON.stringify(configProblems(leaky))
    expect(text).not.toContain('short-agent-key')
    expect(text).not.toContain('test-link-signing-key')
    expect(codes(leaky)).toHaveLength(6)
  })
})

describe('agentCallProblem', () => {
  it('refuses a production call without mTLS, or to a plain-HTTP agent', () => {
    const agent = { id: 'a1', url: 'https://a1.example/' }
    expect(agentCallProblem({ ENVIRONMENT: 'production' }, agent)?.code).toBe('agent_mtls_missing')
    expect(agentCallProblem(good, { ...agent, url: 'http://a1.example/' })?.code).toBe(
      'agent_url_insecure',
    )
    expect(agentCallProblem(good, agent)).toBeNull()
  })
})
