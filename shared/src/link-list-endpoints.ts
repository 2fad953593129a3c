import { endpoint, type Endpoint } from './endpoint.ts'
import { IdParams } from './schemas/common.ts'
import { LinkList, LinkListBody } from './schemas/link-list.ts'

/** Link lists for download managers: part of the one endpoint table (`endpoints`). */
export const linkListEndpoints = {
  createLinkList: endpoint({
    method: 'POST',
    path: '/api/jobs/:id/link-list',
    access: 'user',
    scope: 'files:read',
    aup: true,
    params: IdParams,
    body: LinkListBody,
    response: LinkList,
    status: 200,
  }),
} as const satisfies Record<string, Endpoint>
