import {
  type AgentRequestArgs,
  type AgentResponse,
  type ApiServedEntry,
  readAnswer,
  signedRequest,
} from '@tseeder/shared'

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

/** Signed calls from the agent to the Worker's `server: 'api'` entries of the agent protocol. */
export class ApiClient {
  constructor(private readonly options: ApiClientOptions) {}

  /** Sends `entry`'s request, signed afresh (agent→api key, new nonce); resolves to the response, whatever its status. */
  async send<E extends ApiServedEntry>(
    entry: E,
    ...[input]: AgentRequestArgs<E>
  ): Promise<Response> {
    const request = await signedRequest(entry, input as never, {
      baseUrl: this.options.apiUrl,
      signer: this.options.agentId,
      secret: this.options.secret,
      signal: AbortSignal.timeout(this.options.timeoutMs ?? 15_000),
    })
    return fetch(request)
  }

  /**
   * Sends and returns the answer validated against the entry's schema, throwing
   * {@link ApiError} on any non-2xx status.
   */
  async call<E extends ApiServedEntry>(
    entry: E,
    ...args: AgentRequestArgs<E>
  ): Promise<AgentResponse<E>> {
    const response = await this.send(entry, ...args)
    if (!response.ok) {
      await response.body?.cancel()
      throw new ApiError(response.status, `${entry.path} answered ${response.status}`)
    }
    return readAnswer(entry, response)
  }
}
