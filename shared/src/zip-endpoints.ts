import { endpoint } from './endpoint.ts'
import { IdParams } from './schemas/common.ts'
import { CreateZipBody, ZipLink } from './schemas/zip.ts'

/** Getting a job's files out in one archive; part of the one endpoint table (`endpoints`). */
export const zipEndpoints = {
  createZipLink: endpoint({
    method: 'POST',
    path: '/api/jobs/:id/zip',
    access: 'user',
    scope: 'files:read',
    aup: true,
    params: IdParams,
    body: CreateZipBody,
    response: ZipLink,
    status: 200,
  }),
}
