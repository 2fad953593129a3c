import {
  type Client,
  type ClientOptions,
  createClientFrom,
  type ErrorReader,
} from './client-core.ts'
import { endpoints } from './endpoints.ts'
import { ErrorBody } from './schemas/error.ts'

export {
  ApiError,
  buildPath,
  type CallInit,
  type Client,
  type ClientAuth,
  type ClientOptions,
  type EndpointInput,
  type EndpointOutput,
} from './client-core.ts'

const readErrorBody: ErrorReader = (body) => {
  const parsed = ErrorBody.safeParse(body)
  return parsed.success ? parsed.data.error : null
}

/**
 * The one typed client of the tseeder API, used by the extension, scripts and tests (the web
 * app's pages use `createSameOriginClient`). Each endpoint of the table is a method; answers
 * are validated against the table's schemas.
 *
 * @example
 * const api = createClient({ baseUrl: 'http://127.0.0.1:8787', auth: { type: 'bearer', token } })
 * const { user, plan } = await api.me()
 */
export function createClient(options: ClientOptions): Client {
  return createClientFrom(endpoints, readErrorBody, options)
}
