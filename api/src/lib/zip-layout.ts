/**
 * The byte layout of a ZIP archive of stored (uncompressed) entries whose sizes and CRC-32s are
 * known in advance, so every byte's place is known before the first is sent: the archive's length
 * (`Content-Length`) and any byte range of it (`Range`) come from arithmetic, and the bytes of an
 * entry are read from storage as they are sent. Pure: no I/O, no hashing.
 *
 * Layout: for each entry a local header then its bytes (no data descriptor: the CRC is known),
 * then the central directory, then (when a size, an offset or the entry count passes the classic
 * fields) the ZIP64 end record and its locator, then the end of central directory record.
 * ZIP64 is used per entry where needed (APPNOTE 4.5; the same choices as Go's archive/zip).
 */

/** A file to put in the archive: its name inside it, its size and CRC-32, and where its bytes are. */
export interface ZipSource {
  name: string
  size: number
  crc32: number
  key: string
}

export interface ZipEntry extends ZipSource {
  /** Length of the name in UTF-8 (encoded only when a header is built). */
  nameLength: number
  /** Offset of the local header. */
  offset: number
  /** Offset of the entry's bytes (after the local header). */
  dataOffset: number
  /** Offset of its central directory record. */
  centralOffset: number
  centralLength: number
  /** The sizes need ZIP64 fields in the local header. */
  zip64Sizes: boolean
  /** The central record needs the ZIP64 extra field (sizes or offset too large). */
  zip64Central: boolean
}

export interface ZipLayout {
  entries: ZipEntry[]
  centralOffset: number
  centralLength: number
  /** Offset of the end records (ZIP64 end record and locator when present, then the classic one). */
  endOffset: number
  zip64End: boolean
  /** Total length of the archive. */
  size: number
  dosTime: number
  dosDate: number
}

/** A run of the archive's bytes: literal header bytes, or a byte range of a stored object. */
export type ZipPiece =
  | { kind: 'bytes'; bytes: Uint8Array }
  /** `start` inclusive, `end` exclusive, within the object. */
  | { kind: 'object'; key: string; start: number; end: number }

const MAX16 = 0xffff
const MAX32 = 0xffffffff
const LOCAL_HEADER = 30
const LOCAL_ZIP64_EXTRA = 4 + 16
const CENTRAL_HEADER = 46
const CENTRAL_ZIP64_EXTRA = 4 + 24
const ZIP64_END = 56
const ZIP64_LOCATOR = 20
const END = 22
/** Bit 11: names are UTF-8. */
const FLAGS = 0x0800
/** Made by Unix, spec 4.5, so the mode in the external attributes (regular file, 0644) applies. */
const MADE_BY = (3 << 8) | 45
const EXTERNAL_ATTRIBUTES = (0o100644 << 16) >>> 0

const encoder = new TextEncoder()

/** The UTF-8 length of `text` without encoding it (lone surrogates count as U+FFFD, 3 bytes). */
function utf8Length(text: string): number {
  let length = 0
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i)
    if (code < 0x80) length += 1
    else if (code < 0x800) length += 2
    else if (code >= 0xd800 && code <= 0xdbff && i + 1 < text.length) {
      const next = text.charCodeAt(i + 1)
      if (next >= 0xdc00 && next <= 0xdfff) {
        length += 4
        i++
      } else length += 3
    } else length += 3
  }
  return length
}

/** MS-DOS date and time fields (UTC here), clamped to the format's 1980–2107. */
function dosDateTime(when: Date): { dosTime: number; dosDate: number } {
  if (when.getUTCFullYear() < 1980) return { dosTime: 0, dosDate: (1 << 5) | 1 }
  const year = Math.min(2107, when.getUTCFullYear())
  return {
    dosTime:
      (when.getUTCHours() << 11) |
      (when.getUTCMinutes() << 5) |
      Math.floor(when.getUTCSeconds() / 2),
    dosDate: ((year - 1980) << 9) | ((when.getUTCMonth() + 1) << 5) | when.getUTCDate(),
  }
}

/**
 * Places `files` in an archive, in the given order. `zip64: 'always'` writes ZIP64 fields for
 * every entry and the end (tests use it to check standard tools on small archives).
 *
 * @example
 * const layout = layoutZip([{ name: 'a/b.txt', size: 5, crc32: 0x3610a686, key: 'content/x/0' }], new Date())
 * layout.size // the Content-Length of the whole archive
 */
export function layoutZip(
  files: readonly ZipSource[],
  modified: Date,
  options: { zip64?: 'auto' | 'always' } = {},
): ZipLayout {
  const always = options.zip64 === 'always'
  let offset = 0
  const entries: ZipEntry[] = files.map((file) => {
    const nameLength = utf8Length(file.name)
    if (nameLength > MAX16) throw new RangeError(`name too long for ZIP: ${file.name}`)
    const zip64Sizes = always || file.size >= MAX32
    const zip64Central = zip64Sizes || offset >= MAX32
    const headerLength = LOCAL_HEADER + nameLength + (zip64Sizes ? LOCAL_ZIP64_EXTRA : 0)
    const entry: ZipEntry = {
      name: file.name,
      size: file.size,
      crc32: file.crc32,
      key: file.key,
      nameLength,
      offset,
      dataOffset: offset + headerLength,
      centralOffset: 0,
      centralLength: CENTRAL_HEADER + nameLength + (zip64Central ? CENTRAL_ZIP64_EXTRA : 0),
      zip64Sizes,
      zip64Central,
    }
    offset = entry.dataOffset + file.size
    return entry
  })
  const centralOffset = offset
  for (const entry of entries) {
    entry.centralOffset = offset
    offset += entry.centralLength
  }
  const centralLength = offset - centralOffset
  const zip64End =
    always ||
    entries.length >= MAX16 ||
    centralOffset >= MAX32 ||
    centralLength >= MAX32 ||
    entries.some((e) => e.zip64Central)
  const endOffset = offset
  const size = endOffset + (zip64End ? ZIP64_END + ZIP64_LOCATOR : 0) + END
  return {
    entries,
    centralOffset,
    centralLength,
    endOffset,
    zip64End,
    size,
    ...dosDateTime(modified),
  }
}

class Writer {
  readonly bytes: Uint8Array
  private readonly view: DataView
  private at = 0
  constructor(length: number) {
    this.bytes = new Uint8Array(length)
    this.view = new DataView(this.bytes.buffer)
  }
  u16(value: number): this {
    this.view.setUint16(this.at, value, true)
    this.at += 2
    return this
  }
  u32(value: number): this {
    this.view.setUint32(this.at, value, true)
    this.at += 4
    return this
  }
  u64(value: number): this {
    this.view.setBigUint64(this.at, BigInt(value), true)
    this.at += 8
    return this
  }
  utf8(text: string, length: number): this {
    encoder.encodeInto(text, this.bytes.subarray(this.at, this.at + length))
    this.at += length
    return this
  }
}

/** The local header of `entry` (signature 0x04034b50). */
export function localHeader(layout: ZipLayout, entry: ZipEntry): Uint8Array {
  const w = new Writer(entry.dataOffset - entry.offset)
  const size32 = entry.zip64Sizes ? MAX32 : entry.size
  w.u32(0x04034b50)
    .u16(entry.zip64Sizes ? 45 : 20)
    .u16(FLAGS)
    .u16(0)
    .u16(layout.dosTime)
    .u16(layout.dosDate)
    .u32(entry.crc32)
    .u32(size32)
    .u32(size32)
    .u16(entry.nameLength)
    .u16(entry.zip64Sizes ? LOCAL_ZIP64_EXTRA : 0)
    .utf8(entry.name, entry.nameLength)
  if (entry.zip64Sizes) w.u16(0x0001).u16(16).u64(entry.size).u64(entry.size)
  return w.bytes
}

/** The central directory record of `entry` (signature 0x02014b50). */
export function centralRecord(layout: ZipLayout, entry: ZipEntry): Uint8Array {
  const w = new Writer(entry.centralLength)
  const z = entry.zip64Central
  w.u32(0x02014b50)
    .u16(MADE_BY)
    .u16(z ? 45 : 20)
    .u16(FLAGS)
    .u16(0)
    .u16(layout.dosTime)
    .u16(layout.dosDate)
    .u32(entry.crc32)
    .u32(z ? MAX32 : entry.size)
    .u32(z ? MAX32 : entry.size)
    .u16(entry.nameLength)
    .u16(z ? CENTRAL_ZIP64_EXTRA : 0)
    .u16(0)
    .u16(0)
    .u16(0)
    .u32(EXTERNAL_ATTRIBUTES)
    .u32(z ? MAX32 : entry.offset)
    .utf8(entry.name, entry.nameLength)
  if (z) w.u16(0x0001).u16(24).u64(entry.size).u64(entry.size).u64(entry.offset)
  return w.bytes
}

/** The end records: ZIP64 end record and locator when needed, then the classic end record. */
export function endRecords(layout: ZipLayout): Uint8Array {
  const w = new Writer(layout.size - layout.endOffset)
  const count = layout.entries.length
  if (layout.zip64End) {
    w.u32(0x06064b50)
      .u64(ZIP64_END - 12)
      .u16(MADE_BY)
      .u16(45)
      .u32(0)
      .u32(0)
      .u64(count)
      .u64(count)
      .u64(layout.centralLength)
      .u64(layout.centralOffset)
    w.u32(0x07064b50).u32(0).u64(layout.endOffset).u32(1)
  }
  const z = layout.zip64End
  w.u32(0x06054b50)
    .u16(0)
    .u16(0)
    .u16(z ? MAX16 : count)
    .u16(z ? MAX16 : count)
    .u32(z ? MAX32 : layout.centralLength)
    .u32(z ? MAX32 : layout.centralOffset)
    .u16(0)
  return w.bytes
}

/** Index of the last entry whose `field` is at or before `position` (entries are in order). */
function lastAtOrBefore(
  entries: readonly ZipEntry[],
  field: 'offset' | 'centralOffset',
  position: number,
): number {
  let low = 0
  let high = entries.length - 1
  while (low < high) {
    const middle = (low + high + 1) >> 1
    if (entries[middle]![field] <= position) low = middle
    else high = middle - 1
  }
  return low
}

function clip(bytes: Uint8Array, at: number, start: number, end: number): ZipPiece | null {
  const from = Math.max(start, at)
  const to = Math.min(end, at + bytes.length)
  return from < to ? { kind: 'bytes', bytes: bytes.subarray(from - at, to - at) } : null
}

/**
 * The pieces that make up bytes [start, end) of the archive, in order, produced one at a time
 * (headers are built only when reached), starting at the entry that holds `start`.
 */
export function* piecesOf(layout: ZipLayout, start: number, end: number): Generator<ZipPiece> {
  if (start < 0 || end > layout.size || start >= end) return
  const { entries } = layout
  if (entries.length > 0 && start < layout.centralOffset) {
    for (let i = lastAtOrBefore(entries, 'offset', start); i < entries.length; i++) {
      const entry = entries[i]!
      if (entry.offset >= end) return
      const header = clip(localHeader(layout, entry), entry.offset, start, end)
      if (header) yield header
      const from = Math.max(start, entry.dataOffset)
      const to = Math.min(end, entry.dataOffset + entry.size)
      if (from < to) {
        yield {
          kind: 'object',
          key: entry.key,
          start: from - entry.dataOffset,
          end: to - entry.dataOffset,
        }
      }
    }
  }
  if (entries.length > 0 && start < layout.endOffset) {
    const first = lastAtOrBefore(entries, 'centralOffset', Math.max(start, layout.centralOffset))
    for (let i = first; i < entries.length; i++) {
      const entry = entries[i]!
      if (entry.centralOffset >= end) return
      const record = clip(centralRecord(layout, entry), entry.centralOffset, start, end)
      if (record) yield record
    }
  }
  const tail = clip(endRecords(layout), layout.endOffset, start, end)
  if (tail) yield tail
}
