// The demo torrent's files, built in code with integer arithmetic only, so every machine and every
// run gets the same bytes and the same info hash.
import { createHash } from 'node:crypto'
import { crc32 } from 'node:zlib'
import { DEMO_CLIP_BASE64, DEMO_CLIP_SHA256 } from './demo-clip.ts'

export const DEMO_NAME = 'tseeder-demo'

export interface DemoFile {
  /** Path inside the torrent, below its name. */
  path: string
  data: Buffer
}

const README = `tseeder demo
============

This torrent was made by \`npm run demo\` so you can try tseeder without the internet:
a local tracker and a local seeder on 127.0.0.1 serve it.

  clip.mp4          a 4-second test pattern (H.264): play it in the browser
  pattern.png       a 96×64 picture
  sound/tone.wav    two seconds of two tones (16-bit PCM)
  README.txt        this file

Every run builds exactly the same files, so the info hash never changes.
`

/** A zlib stream of stored (uncompressed) deflate blocks: no compressor, no variation. */
function zlibStored(data: Buffer): Buffer {
  const blocks: Buffer[] = [Buffer.from([0x78, 0x01])]
  for (let offset = 0; offset < data.length || offset === 0; offset += 65_535) {
    const chunk = data.subarray(offset, offset + 65_535)
    const last = offset + 65_535 >= data.length ? 1 : 0
    const header = Buffer.alloc(5)
    header.writeUInt8(last, 0)
    header.writeUInt16LE(chunk.length, 1)
    header.writeUInt16LE(~chunk.length & 0xffff, 3)
    blocks.push(header, chunk)
  }
  let a = 1
  let b = 0
  for (const byte of data) {
    a = (a + byte) % 65_521
    b = (b + a) % 65_521
  }
  const adler = Buffer.alloc(4)
  adler.writeUInt32BE(((b << 16) | a) >>> 0)
  blocks.push(adler)
  return Buffer.concat(blocks)
}

function pngChunk(type: string, data: Buffer): Buffer {
  const length = Buffer.alloc(4)
  length.writeUInt32BE(data.length)
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data])
  const crc = Buffer.alloc(4)
  crc.writeUInt32BE(crc32(body))
  return Buffer.concat([length, body, crc])
}

/** A 96×64 RGB PNG: red across, green down, a blue checkerboard. */
export function demoPng(width = 96, height = 64): Buffer {
  const rows: Buffer[] = []
  for (let y = 0; y < height; y++) {
    const row = Buffer.alloc(1 + width * 3) // filter byte 0: none
    for (let x = 0; x < width; x++) {
      row[1 + x * 3] = Math.floor((x * 255) / (width - 1))
      row[2 + x * 3] = Math.floor((y * 255) / (height - 1))
      row[3 + x * 3] = ((x >> 3) + (y >> 3)) % 2 ? 200 : 60
    }
    rows.push(row)
  }
  const header = Buffer.alloc(13)
  header.writeUInt32BE(width, 0)
  header.writeUInt32BE(height, 4)
  header.set([8, 2, 0, 0, 0], 8) // 8-bit, truecolour, deflate, adaptive filters, no interlace
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    pngChunk('IHDR', header),
    pngChunk('IDAT', zlibStored(Buffer.concat(rows))),
    pngChunk('IEND', Buffer.alloc(0)),
  ])
}

/** Two seconds of 16 kHz mono 16-bit PCM: a ~444 Hz then a ~593 Hz triangle wave, faded. */
export function demoWav(): Buffer {
  const rate = 16_000
  const samples = rate * 2
  const amplitude = 8_000
  const fade = rate / 20
  const pcm = Buffer.alloc(samples * 2)
  for (let i = 0; i < samples; i++) {
    const local = i % rate
    const period = i < rate ? 36 : 27
    const phase = local % period
    const half = period / 2
    const triangle =
      phase < half
        ? Math.floor((4 * phase * amplitude) / period) - amplitude
        : 3 * amplitude - Math.floor((4 * phase * amplitude) / period)
    const envelope = Math.min(local, rate - 1 - local, fade)
    pcm.writeInt16LE(Math.trunc((triangle * envelope) / fade), i * 2)
  }
  const header = Buffer.alloc(44)
  header.write('RIFF', 0, 'ascii')
  header.writeUInt32LE(36 + pcm.length, 4)
  header.write('WAVEfmt ', 8, 'ascii')
  header.writeUInt32LE(16, 16) // fmt chunk size
  header.writeUInt16LE(1, 20) // PCM
  header.writeUInt16LE(1, 22) // mono
  header.writeUInt32LE(rate, 24)
  header.writeUInt32LE(rate * 2, 28) // byte rate
  header.writeUInt16LE(2, 32) // block align
  header.writeUInt16LE(16, 34) // bits per sample
  header.write('data', 36, 'ascii')
  header.writeUInt32LE(pcm.length, 40)
  return Buffer.concat([header, pcm])
}

export function demoClip(): Buffer {
  const clip = Buffer.from(DEMO_CLIP_BASE64.replace(/\s/g, ''), 'base64')
  const digest = createHash('sha256').update(clip).digest('hex')
  if (digest !== DEMO_CLIP_SHA256) throw new Error('the embedded demo clip is corrupt')
  return clip
}

/** The demo files, in torrent order. */
export function demoFiles(): DemoFile[] {
  return [
    { path: 'README.txt', data: Buffer.from(README, 'utf8') },
    { path: 'clip.mp4', data: demoClip() },
    { path: 'pattern.png', data: demoPng() },
    { path: 'sound/tone.wav', data: demoWav() },
  ]
}
