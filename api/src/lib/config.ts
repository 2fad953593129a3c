/**
 * Production configuration that must fail closed: with `ENVIRONMENT = "production"` each of
 * these is an error that `/api/health` reports, that stops the dispatch line and that
 * `npm run deploy:check` catches before a deploy. Locally (any other ENVIRONMENT) nothing here
 * applies. Pure: no bindings are called, no secret value leaves this module.
 */

/** One configuration error: a stable code and what the operator must do, never a secret's value. */
export interface ConfigProblem {
  code:
    | 'agent_mtls_missing'
    | 'turnstile_secret_missing'
    | 'agent_signing_key_weak'
    | 'link_signing_key_weak'
    | 'stored_secrets_key_weak'
    | 'vapid_private_key_missing'
    | 'agent_url_insecure'
  message: string
}

/** What the checks read: the Worker's env, or what deploy-check knows of it from wrangler.toml. */
export interface ConfigEnv {
  ENVIRONMENT?: string
  AGENT_MTLS?: unknown
  TURNSTILE_SECRET?: string
  AGENT_SIGNING_KEY?: string
  LINK_SIGNING_KEY?: string
  STORED_SECRETS_KEY?: string
  VAPID_PUBLIC_KEY?: string
  VAPID_PRIVATE_KEY?: string
}

/**
 * Shorter than this is not a generated key: `openssl rand -base64 32` (DEPLOYMENT.md) gives 44
 * characters, `npm start` (testkit/src/secrets.ts) 43.
 */
export const MIN_SIGNING_KEY_LENGTH = 32

/**
 * Signing keys that live in this repository (tests, benches, examples): whoever reads the code
 * knows them. Local tooling generates random keys, so these are the only "default" values.
 */
export const KNOWN_SIGNING_KEYS: ReadonlySet<string> = new Set([
  'test-agent-signing-key',
  'test-link-signing-key',
  'bench-agent-signing-key',
  'bench-link-key',
  'test-stored-secrets-key',
  'bench-stored-secrets-key',
  'change-me',
  'changeme',
])

export function isProduction(env: Pick<ConfigEnv, 'ENVIRONMENT'>): boolean {
  return env.ENVIRONMENT === 'production'
}

/** Why a signing key is not fit for production, or null. */
function weakKeyReason(value: string | undefined): string | null {
  if (!value) return 'is not set'
  if (KNOWN_SIGNING_KEYS.has(value)) return 'is a value from this repository (tests or examples)'
  if (value.length < MIN_SIGNING_KEY_LENGTH)
    return `is shorter than ${MIN_SIGNING_KEY_LENGTH} characters`
  return null
}

const GENERATE_KEY = 'generate one with `openssl rand -base64 32 | npx wrangler secret put'

const MTLS_MISSING: ConfigProblem = {
  code: 'agent_mtls_missing',
  message:
    'The AGENT_MTLS mTLS certificate binding is missing: calls to agents would go out without a client certificate. Upload one and bind it (DEPLOYMENT.md step 6).',
}

function insecureUrlProblem(agent: { id: string; url: string }): ConfigProblem | null {
  if (agent.url.startsWith('https://')) return null
  return {
    code: 'agent_url_insecure',
    message: `Agent ${agent.id} registered a URL that is not https://; set its AGENT_PUBLIC_URL to an HTTPS address.`,
  }
}

/**
 * Why a call to this agent must not go out in production (no client certificate, or a URL that
 * is not HTTPS), or null when it may.
 *
 * @example
 * agentCallProblem({ ENVIRONMENT: 'production' }, agent) // agent_mtls_missing without AGENT_MTLS
 */
export function agentCallProblem(
  env: Pick<ConfigEnv, 'ENVIRONMENT' | 'AGENT_MTLS'>,
  agent: { id: string; url: string },
): ConfigProblem | null {
  if (!isProduction(env)) return null
  return env.AGENT_MTLS ? insecureUrlProblem(agent) : MTLS_MISSING
}

/**
 * Every production configuration error of this Worker, and of the agents given (their
 * registered URLs); empty outside production. Without agents these are what stop the dispatch
 * line: one agent with a plain-HTTP URL is refused per call while the rest of the fleet works.
 *
 * @example
 * configProblems({ ENVIRONMENT: 'local' }) // []
 */
export function configProblems(
  env: ConfigEnv,
  agents: readonly { id: string; url: string }[] = [],
): ConfigProblem[] {
  if (!isProduction(env)) return []
  const problems: ConfigProblem[] = []
  if (!env.AGENT_MTLS) problems.push(MTLS_MISSING)
  if (!env.TURNSTILE_SECRET)
    problems.push({
      code: 'turnstile_secret_missing',
      message:
        'TURNSTILE_SECRET is not set: sign-up and sign-in answer 503. Set it with `npx wrangler secret put TURNSTILE_SECRET`.',
    })
  for (const [name, code] of [
    ['AGENT_SIGNING_KEY', 'agent_signing_key_weak'],
    ['LINK_SIGNING_KEY', 'link_signing_key_weak'],
    ['STORED_SECRETS_KEY', 'stored_secrets_key_weak'],
  ] as const) {
    const reason = weakKeyReason(env[name])
    if (reason) problems.push({ code, message: `${name} ${reason}: ${GENERATE_KEY} ${name}\`.` })
  }
  if (env.VAPID_PUBLIC_KEY && !env.VAPID_PRIVATE_KEY)
    problems.push({
      code: 'vapid_private_key_missing',
      message:
        'VAPID_PUBLIC_KEY is set but VAPID_PRIVATE_KEY is not: browsers subscribe to notifications that can never be sent. Set VAPID_PRIVATE_KEY, or empty VAPID_PUBLIC_KEY.',
    })
  for (const agent of agents) {
    const insecure = insecureUrlProblem(agent)
    if (insecure) problems.push(insecure)
  }
  return problems
}
