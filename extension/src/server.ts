// The typed client and the web app's addresses for the connected server.
import { type Client, createClient } from '@tseeder/shared'
import type { Connection } from './storage.ts'

/** The one typed client, authenticated with the extension's API token. */
export function clientFor(connection: Pick<Connection, 'serverUrl' | 'token'>): Client {
  return createClient({
    baseUrl: connection.serverUrl,
    auth: { type: 'bearer', token: connection.token },
  })
}

export function jobPageUrl(serverUrl: string, jobId: string): string {
  return `${serverUrl}/jobs/${encodeURIComponent(jobId)}`
}

export function dashboardUrl(serverUrl: string): string {
  return `${serverUrl}/`
}
