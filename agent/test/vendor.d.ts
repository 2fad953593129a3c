// Minimal typings for the test-only servers; neither ships its own.
declare module 'bittorrent-tracker' {
  import type { EventEmitter } from 'node:events'
  export class Server extends EventEmitter {
    constructor(opts?: { udp?: boolean; http?: boolean; ws?: boolean; stats?: boolean })
    listen(port: number, hostname: string, cb?: () => void): void
    close(cb?: () => void): void
    http: { address(): { port: number } } | null
  }
}

declare module 's3rver' {
  import type { EventEmitter } from 'node:events'
  export default class S3rver extends EventEmitter {
    constructor(opts: {
      port?: number
      address?: string
      silent?: boolean
      directory: string
      configureBuckets?: { name: string }[]
    })
    run(): Promise<{ port: number; address: string }>
    close(): Promise<void>
  }
}
