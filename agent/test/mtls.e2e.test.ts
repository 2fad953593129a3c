import { execFileSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { rm } from 'node:fs/promises'
import { request } from 'node:https'
import { join } from 'node:path'
import { signedHeaders } from '@tseeder/shared'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startAgent, type RunningAgent } from '../src/agent.ts'
import { loadConfig } from '../src/config.ts'
import { createLogger } from '../src/log.ts'
import {
  AGENT_SECRET,
  agentEnv,
  grantFor,
  startFakeApi,
  type FakeApi,
} from '@tseeder/testkit/fake-api'
import { tempDir } from '@tseeder/testkit/wait'

let dir: string
let api: FakeApi
let agent: RunningAgent

const openssl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' })

/** A CA, certificates it signs for the agent (server) and the Worker (client), and a rogue client. */
function makeCertificates() {
  const key = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-days', '2']
  const selfSigned = (name: string, cn: string) =>
    openssl(
      'req',
      '-x509',
      ...key,
      '-keyout',
      `${name}.key`,
      '-out',
      `${name}.crt`,
      '-subj',
      `/CN=${cn}`,
    )
  const signedByCa = (name: string, cn: string, ...extra: string[]) => {
    openssl('req', ...key, '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', `/CN=${cn}`)
    openssl(
      'x509',
      '-req',
      '-in',
      `${name}.csr`,
      '-CA',
      'ca.crt',
      '-CAkey',
      'ca.key',
      '-CAcreateserial',
      '-days',
      '2',
      '-out',
      `${name}.crt`,
      ...extra,
    )
  }
  selfSigned('ca', 'test CA')
  signedByCa('server', '127.0.0.1', '-extfile', 'san.cnf')
  signedByCa('client', 'tseeder-worker')
  selfSigned('rogue', 'tseeder-worker')
}

const certName = { trusted: 'client', rogue: 'rogue' } as const

function get(
  path: string,
  client: 'trusted' | 'rogue' | 'none',
  headers: Record<string, string> = {},
) {
  const url = new URL(path, agent.url)
  return new Promise<number>((resolve, reject) => {
    const req = request(
      {
        host: url.hostname,
        port: url.port,
        path: url.pathname,
        headers,
        ca: readFileSync(join(dir, 'ca.crt')),
        ...(client === 'none'
          ? {}
          : {
              cert: readFileSync(join(dir, `${certName[client]}.crt`)),
              key: readFileSync(join(dir, `${certName[client]}.key`)),
            }),
      },
      (res) => {
        res.resume()
        resolve(res.statusCode!)
      },
    )
    req.once('error', reject)
    req.end()
  })
}

beforeAll(async () => {
  dir = await tempDir('mtls')
  execFileSync('sh', ['-c', 'printf "subjectAltName=IP:127.0.0.1\\n" > san.cnf'], { cwd: dir })
  makeCertificates()
  api = await startFakeApi(() => grantFor('http://127.0.0.1:9', 'ab'.repeat(20)))
  agent = await startAgent(
    loadConfig(
      agentEnv(api.url, join(dir, 'data'), {
        AGENT_TLS_CERT: join(dir, 'server.crt'),
        AGENT_TLS_KEY: join(dir, 'server.key'),
        AGENT_TLS_CA: join(dir, 'ca.crt'),
      }),
    ),
    createLogger('silent'),
  )
})

afterAll(async () => {
  await agent?.close(200)
  await api?.close()
  await rm(dir, { recursive: true, force: true })
})

describe('mTLS', () => {
  it('serves HTTPS to a client whose certificate the CA signed', async () => {
    expect(agent.url.startsWith('https://')).toBe(true)
    expect(await get('/health', 'trusted')).toBe(200)
    const headers = await signedHeaders('api', AGENT_SECRET, {
      direction: 'api-to-agent',
      method: 'GET',
      path: '/status',
      body: '',
    })
    expect(await get('/status', 'trusted', headers)).toBe(200)
  })

  it('refuses the handshake without a client certificate, or with one from another CA', async () => {
    await expect(get('/health', 'none')).rejects.toThrow()
    await expect(get('/health', 'rogue')).rejects.toThrow()
  })
})
