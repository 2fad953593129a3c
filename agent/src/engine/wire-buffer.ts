import Wire from 'bittorrent-protocol'

/** The parts of bittorrent-protocol 5's `Wire` that its incoming-data path uses. */
interface WireInternals {
  _buffer: Uint8Array[]
  _bufferSize: number
  _parserSize: number
  _parser: (message: Uint8Array) => void
  _cryptoSyncPattern: Uint8Array | null
  _pePending: boolean
  _encryptor: { decrypt(data: Uint8Array): Uint8Array } | null
  _processBuffer(): void
}

function concat(chunks: Uint8Array[], size: number): Uint8Array {
  const out = new Uint8Array(size)
  let offset = 0
  for (const chunk of chunks) {
    out.set(chunk, offset)
    offset += chunk.length
  }
  return out
}

/**
 * Makes every peer connection cut messages out of what arrives without copying it. Stock
 * bittorrent-protocol 5 joins the unparsed rest of the last read with each new read (64 KiB) into
 * a new buffer, so nearly every downloaded byte was copied once more into a fresh, zero-filled
 * allocation — a gigabyte of external memory per gigabyte downloaded, which V8 answers with full
 * collections. Here reads stay a list; a message within one read is a view of it, and only a
 * message that spans reads is copied (its own bytes). While the connection resynchronises after
 * an encryption handshake the stock code runs, on the list joined into one buffer as it expects.
 * Idempotent; applies to every `Wire`, so to the whole process. The agent declares
 * bittorrent-protocol at the version webtorrent uses, so npm keeps one copy: should webtorrent
 * move to another version, its nested copy would go unpatched (stock behaviour, just slower).
 */
export function cutMessagesWithoutCopies(): void {
  const proto = Wire.prototype as unknown as WireInternals & {
    _write(data: Uint8Array, cb: (error: null) => void): void
    __listBuffered?: true
  }
  if (proto.__listBuffered) return
  const stock = proto._processBuffer
  proto.__listBuffered = true

  proto._write = function (this: WireInternals, data, cb) {
    if (this._encryptor) data = this._encryptor.decrypt(data)
    this._bufferSize += data.length
    this._buffer.push(data)
    this._processBuffer()
    cb(null)
  }

  proto._processBuffer = function (this: WireInternals) {
    if (this._cryptoSyncPattern) {
      if (this._buffer.length > 1) this._buffer = [concat(this._buffer, this._bufferSize)]
      stock.call(this)
      return
    }
    while (this._bufferSize >= this._parserSize) {
      if (this._cryptoSyncPattern || this._pePending) break
      const size = this._parserSize
      if (size === 0) {
        this._parser(new Uint8Array())
        continue
      }
      const head = this._buffer[0]!
      let message: Uint8Array
      if (head.length >= size) {
        message = head.subarray(0, size)
        if (head.length === size) this._buffer.shift()
        else this._buffer[0] = head.subarray(size)
      } else {
        message = new Uint8Array(size)
        for (let filled = 0; filled < size;) {
          const chunk = this._buffer[0]!
          const take = Math.min(chunk.length, size - filled)
          message.set(take === chunk.length ? chunk : chunk.subarray(0, take), filled)
          filled += take
          if (take === chunk.length) this._buffer.shift()
          else this._buffer[0] = chunk.subarray(take)
        }
      }
      this._bufferSize -= size
      this._parser(message)
    }
  }
}
