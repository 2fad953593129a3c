// A seeded corpus of hostile .torrent files for fuzz tests (shared's parser, the API's upload):
// truncations and bit flips of real torrents, random bytes, random bencode and hand-made odd
// shapes for every field the parser reads. The same seed always gives the same corpus.
import bencode from 'bencode'

export interface FuzzCase {
  name: string
  bytes: Uint8Array
}

const enc = new TextEncoder()
const b = (text: string): Uint8Array => enc.encode(text)

/** mulberry32: a small, fast, seeded generator of floats in [0, 1). */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

/** Valid torrents of the shapes clients make: single file, folders, hybrid with pad files, private. */
export function realTorrents(): FuzzCase[] {
  const pieces = (n: number) => new Uint8Array(20 * n).map((_, i) => (i * 37) & 255)
  const root = { announce: b('udp://tracker.example:6969'), 'creation date': 1_700_000_000 }
  const single = { name: b('movie.mp4'), 'piece length': 16384, pieces: pieces(2), length: 20000 }
  const multi = {
    name: b('album'),
    'piece length': 32768,
    pieces: pieces(1),
    files: [
      { length: 100, path: [b('cd1'), b('01 intro.flac')] },
      { length: 0, path: [b('empty.txt')] },
      { length: 200, path: [b('cover.jpg')], 'path.utf-8': [b('cover.jpg')] },
    ],
  }
  const hybrid = {
    name: b('hybrid set'),
    'piece length': 16384,
    pieces: pieces(3),
    'meta version': 2,
    'file tree': { 'a b.bin': { '': { length: 10, 'pieces root': new Uint8Array(32) } } },
    files: [
      { length: 10, path: [b('a b.bin')] },
      { length: 16374, path: [b('.pad'), b('16374')], attr: b('p') },
      { length: 20000, path: [b('c.bin')] },
    ],
  }
  const withList = { ...root, 'announce-list': [[b('udp://a:1')], [b('http://b/announce')]] }
  return [
    { name: 'real single file', bytes: bencode.encode({ ...root, info: single }) },
    { name: 'real multi file', bytes: bencode.encode({ ...withList, info: multi }) },
    { name: 'real hybrid with pads', bytes: bencode.encode({ ...root, info: hybrid }) },
    { name: 'real private', bytes: bencode.encode({ ...root, info: { ...single, private: 1 } }) },
  ]
}

const ODD_VALUES: [string, unknown][] = [
  ['zero', 0],
  ['negative', -1],
  ['huge', 2 ** 60],
  ['unsafe', Number.MAX_SAFE_INTEGER + 2],
  ['bytes', b('x')],
  ['empty bytes', new Uint8Array()],
  ['list', [1, 2]],
  ['empty list', []],
  ['nested list', [[[b('a')]]]],
  ['dict', { a: 1 }],
  ['empty dict', {}],
]

/** Every info field (and every file field) given every wrong type, plus hand-made oddities. */
export function oddTorrents(): FuzzCase[] {
  const cases: FuzzCase[] = []
  const base = {
    name: b('x'),
    'piece length': 16384,
    pieces: new Uint8Array(20),
    files: [{ length: 1, path: [b('a')] }],
  }
  const infoFields = ['name', 'name.utf-8', 'piece length', 'pieces', 'length', 'files', 'private']
  for (const field of [...infoFields, 'meta version', 'file tree']) {
    for (const [label, value] of ODD_VALUES) {
      const info = { ...base, [field]: value }
      cases.push({ name: `info.${field} ${label}`, bytes: bencode.encode({ info }) })
    }
  }
  for (const field of ['length', 'path', 'path.utf-8', 'attr']) {
    for (const [label, value] of ODD_VALUES) {
      const info = { ...base, files: [{ length: 1, path: [b('a')], [field]: value }] }
      cases.push({ name: `file.${field} ${label}`, bytes: bencode.encode({ info }) })
    }
  }
  for (const [label, value] of ODD_VALUES) {
    cases.push({ name: `info ${label}`, bytes: bencode.encode({ info: value }) })
    cases.push({ name: `root ${label}`, bytes: bencode.encode(value as never) })
    cases.push({
      name: `announce ${label}`,
      bytes: bencode.encode({ announce: value, info: base }),
    })
    const announceList = { 'announce-list': value, info: base }
    cases.push({ name: `announce-list ${label}`, bytes: bencode.encode(announceList) })
  }
  const v2 = { name: b('v2'), 'piece length': 16384, 'meta version': 2, 'file tree': {} }
  const many = Array.from({ length: 10_001 }, (_, i) => ({ length: 1, path: [b(`f${i}`)] }))
  const deep = [{ length: 1, path: Array.from({ length: 1000 }, () => b('d')) }]
  const raw = (text: string) => ({ name: text.slice(0, 40), bytes: b(text) })
  cases.push(
    { name: 'v2-only', bytes: bencode.encode({ info: v2 }) },
    { name: 'empty name', bytes: bencode.encode({ info: { ...base, name: b('') } }) },
    { name: '10,001 files', bytes: bencode.encode({ info: { ...base, files: many } }) },
    { name: '1,000-deep path', bytes: bencode.encode({ info: { ...base, files: deep } }) },
    {
      name: 'only pad files',
      bytes: bencode.encode({
        info: { ...base, files: [{ length: 5, path: [b('p')], attr: b('p') }] },
      }),
    },
    raw(
      'd4:infod4:name1:a4:name1:b12:piece lengthi16384e6:pieces20:aaaaaaaaaaaaaaaaaaaa6:lengthi1eee',
    ),
    raw(
      'd4:infod6:lengthi1e4:name1:a12:piece lengthi1e6:pieces20:aaaaaaaaaaaaaaaaaaaa6:lengthi-1eee',
    ),
    raw('d4:infod4:name1:a12:piece lengthi-0e6:pieces0:6:lengthi01eee'),
    raw(
      'd4:infod9:__proto__d6:lengthi1ee4:name1:a12:piece lengthi1e6:pieces20:aaaaaaaaaaaaaaaaaaaaee',
    ),
    raw(`${'l'.repeat(20_000)}${'e'.repeat(20_000)}`),
    raw(`d4:info${'d1:a'.repeat(5_000)}i1e${'e'.repeat(5_001)}e`),
    raw('d4:infod4:name99999999999:xee'),
    raw('i99999999999999999999999e'),
    raw('d4:infoi1e4:infod4:name1:xee'),
    raw('de'),
    raw('le'),
    raw('d'),
  )
  return cases
}

function randomBencode(random: () => number, depth = 0): unknown {
  const pick = Math.floor(random() * (depth > 3 ? 3 : 5))
  if (pick === 0) return Math.floor((random() - 0.3) * 2 ** Math.floor(random() * 60))
  if (pick === 1) return new Uint8Array(Math.floor(random() * 40)).map(() => random() * 256)
  if (pick === 2) {
    const keys = ['name', 'length', 'files', 'path', 'pieces', 'piece length', 'attr', 'info']
    return b(keys[Math.floor(random() * keys.length)]!)
  }
  if (pick === 3) {
    return Array.from({ length: Math.floor(random() * 4) }, () => randomBencode(random, depth + 1))
  }
  const keys = ['info', 'name', 'length', 'files', 'path', 'pieces', 'piece length', 'attr', 'x']
  const dict: Record<string, unknown> = {}
  for (let i = Math.floor(random() * 5); i > 0; i--) {
    dict[keys[Math.floor(random() * keys.length)]!] = randomBencode(random, depth + 1)
  }
  return dict
}

/** `count` cases picked from `cases` in a seeded order (a smaller sample for slower callers). */
export function sampleCases(cases: FuzzCase[], seed: number, count: number): FuzzCase[] {
  const random = seededRandom(seed ^ 0x5eed)
  const shuffled = cases.slice()
  for (let i = shuffled.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1))
    ;[shuffled[i], shuffled[j]] = [shuffled[j]!, shuffled[i]!]
  }
  return shuffled.slice(0, count)
}

/**
 * `count` seeded cases: truncations and bit flips of {@link realTorrents}, random bytes and
 * random bencode shaped like a torrent. With `withFixed`, the real and odd torrents come first.
 */
export function fuzzCorpus(seed: number, count: number, withFixed = true): FuzzCase[] {
  const random = seededRandom(seed)
  const real = realTorrents()
  const cases = withFixed ? [...real, ...oddTorrents()] : []
  const int = (n: number) => Math.floor(random() * n)
  for (let i = 0; cases.length < count; i++) {
    const source = real[int(real.length)]!
    const kind = i % 5
    if (kind === 0) {
      cases.push({
        name: `${source.name} cut ${i}`,
        bytes: source.bytes.slice(0, int(source.bytes.length)),
      })
    } else if (kind === 1) {
      const bytes = source.bytes.slice()
      for (let flips = 1 + int(8); flips > 0; flips--) bytes[int(bytes.length)]! ^= 1 << int(8)
      cases.push({ name: `${source.name} flipped ${i}`, bytes })
    } else if (kind === 2) {
      const bytes = new Uint8Array(int(600)).map(() => int(256))
      if (random() < 0.5 && bytes.length) bytes[0] = 0x64
      cases.push({ name: `random bytes ${i}`, bytes })
    } else {
      const info = randomBencode(random)
      const value = random() < 0.7 ? { info } : info
      cases.push({ name: `random bencode ${i}`, bytes: bencode.encode(value as never) })
    }
  }
  return cases
}

/** Messages that show a program's insides instead of words for the user. */
export const INTERNAL_MESSAGE = /undefined|Cannot read|TypeError|RangeError|\bnull\b|NaN|\[object/
