// Loaded with `--import` into an agent process under test. Once TEST_ENGINE_THROW_AFTER_PIECES
// pieces are verified, webtorrent's per-piece wire update throws, once, from a microtask: an
// exception escaping the engine with webtorrent's frames on its stack, as the peer.js crash in
// STACK.md does.
import WebTorrent from 'webtorrent'

interface Patchable {
  on(event: 'verified', listener: () => void): void
  _updateWire(wire: unknown): void
}

const after = Number(process.env.TEST_ENGINE_THROW_AFTER_PIECES)
let verified = 0
let thrown = false
const add = WebTorrent.prototype.add

WebTorrent.prototype.add = function (this: WebTorrent, ...args: Parameters<WebTorrent['add']>) {
  const torrent = add.apply(this, args) as unknown as Patchable
  const updateWire = torrent._updateWire
  torrent.on('verified', () => verified++)
  torrent._updateWire = function (this: Patchable, wire: unknown) {
    if (!thrown && verified >= after) {
      thrown = true
      throw new TypeError("Cannot read properties of null (reading 'private')")
    }
    updateWire.call(this, wire)
  }
  return torrent as unknown as ReturnType<WebTorrent['add']>
}
