import { z } from 'zod'
import { accountEndpoints } from './account-endpoints.ts'
import { adminEndpoints } from './admin-endpoints.ts'
import { authEndpoints, tokenEndpoints } from './auth-endpoints.ts'
import { endpoint, type Endpoint } from './endpoint.ts'
import { jobEndpoints } from './job-endpoints.ts'
import { linkListEndpoints } from './link-list-endpoints.ts'
import { pushEndpoints } from './push-endpoints.ts'
import { webhookEndpoints } from './webhook-endpoints.ts'
import { zipEndpoints } from './zip-endpoints.ts'
import { PublicConfig } from './schemas/job.ts'
import { OpenApiDocumentSchema } from './schemas/openapi.ts'

export { endpoint, type Access, type Endpoint } from './endpoint.ts'

export const HealthResponse = z.object({ ok: z.literal(true) })

/**
 * Every route of the public contract: the client builds its calls from this table and the API
 * registers its handlers, auth rules and validators from the same entries. Each area declares
 * its entries in its own `*-endpoints.ts` file; this is the one place they are put together.
 */
export const endpoints = {
  health: endpoint({
    method: 'GET',
    path: '/api/health',
    access: 'public',
    response: HealthResponse,
    status: 200,
  }),

  config: endpoint({
    method: 'GET',
    path: '/api/config',
    access: 'public',
    response: PublicConfig,
    status: 200,
  }),

  /** This table as an OpenAPI 3.1 document (`buildOpenApiDocument`); a page of it is `/api/docs`. */
  openApi: endpoint({
    method: 'GET',
    path: '/api/openapi.json',
    access: 'public',
    response: OpenApiDocumentSchema,
    status: 200,
  }),

  ...authEndpoints,
  ...accountEndpoints,
  ...tokenEndpoints,
  ...jobEndpoints,
  ...linkListEndpoints,
  ...zipEndpoints,
  ...pushEndpoints,
  ...webhookEndpoints,
  ...adminEndpoints,
} as const satisfies Record<string, Endpoint>

export type Endpoints = typeof endpoints
export type EndpointName = keyof Endpoints
