import { z } from 'zod'

/** The answer of `GET /api/openapi.json`, checked loosely: `buildOpenApiDocument` writes the rest. */
export const OpenApiDocumentSchema = z.looseObject({
  openapi: z.literal('3.1.0'),
  info: z.looseObject({ title: z.string(), version: z.string() }),
  paths: z.record(z.string(), z.record(z.string(), z.unknown())),
  components: z.record(z.string(), z.unknown()),
})
