// bittorrent-protocol 5 ships no types; the agent uses its Wire only to patch how it buffers
// incoming data (wire-buffer.ts) and in that patch's test.
declare module 'bittorrent-protocol' {
  import { EventEmitter } from 'node:events'
  export default class Wire extends EventEmitter {
    write(data: Uint8Array): boolean
    destroy(): void
  }
}
