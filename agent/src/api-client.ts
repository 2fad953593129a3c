import { signedHeaders } from '@tseeder/shared'

export interface ApiClientOptions {
  apiUrl: string
  agentId: string
  secret: string
  timeoutMs?: number
}

export class ApiError extends Error {
  override readonly name = 'ApiError'
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message)
  }
}

/** Signed JSON POSTs from the agent to the API's `/internal/*` routes. */
export class ApiClient {
  constructor(private readonly options: ApiClientOptions) {}

  /** Posts `payload` signed with the agent's secret; resolves to the response, whatever its status. */
  async post(path: string, payload: unknown): Promise<Response> {
    const body = JSON.stringify(payload)
    const headers = await signedHeaders(this.options.agentId, this.options.secret, body)
    return fetch(`${this.options.apiUrl}${path}`, {
      method: 'POST',
      headers: { ...headers, 'content-type': 'application/json' },
      body,
      signal: AbortSignal.timeout(this.options.timeoutMs ?? 15_000),
    })
  }

  /** Posts and parses a JSON answer, throwing {@link ApiError} on any non-2xx status. */
  async postJson(path: string, payload: unknown): Promise<unknown> {
    const response = await this.post(path, payload)
    if (!response.ok) {
      throw new ApiError(response.status, `${path} answered ${response.status}`)
    }
    return response.json()
  }
}
