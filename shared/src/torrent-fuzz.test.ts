import { describe, expect, it } from 'vitest'
import { FileEntry } from './schemas/file.ts'
import { parseTorrentFile } from './torrent.ts'
import { type FuzzCase, fuzzCorpus, INTERNAL_MESSAGE } from './torrent-fuzz.ts'

// A fixed seed (the same corpus every run) and a fresh one (new cases each run, printed so a
// failure replays with TEST_SEED=<seed>).
const FIXED_SEED = 15
// shared is typed without Node; vitest runs it on Node.
const env = (globalThis as { process?: { env: Record<string, string | undefined> } }).process?.env
const freshSeed = Number(env?.TEST_SEED ?? Math.floor(Math.random() * 2 ** 31))
console.log(
  `torrent fuzz seeds: fixed ${FIXED_SEED}, fresh ${freshSeed} (replay: TEST_SEED=${freshSeed})`,
)

async function check(fuzz: FuzzCase): Promise<void> {
  const result = await parseTorrentFile(fuzz.bytes)
  if (result.ok) {
    for (const file of result.torrent.files) FileEntry.parse(file)
    expect(Number.isSafeInteger(result.torrent.bytesTotal), fuzz.name).toBe(true)
    expect(result.torrent.infohash, fuzz.name).toMatch(/^[0-9a-f]{40}$/)
    return
  }
  expect(result.code, fuzz.name).toBe('invalid_torrent')
  expect(result.message.length, fuzz.name).toBeGreaterThan(10)
  expect(result.message, fuzz.name).not.toMatch(INTERNAL_MESSAGE)
}

describe('parseTorrentFile fuzz', () => {
  for (const [label, seed, withFixed] of [
    ['fixed', FIXED_SEED, true],
    ['fresh', freshSeed, false],
  ] as const) {
    it(`answers every case of the ${label} seed ${seed} with a torrent or a refusal in words`, async () => {
      const corpus = fuzzCorpus(seed, 3000, withFixed)
      const started = Date.now()
      for (const fuzz of corpus) await check(fuzz)
      expect(Date.now() - started).toBeLessThan(20_000)
    })
  }

  it('accepts the real torrents it mutates, and refuses the ones past a limit', async () => {
    const corpus = fuzzCorpus(FIXED_SEED, 0)
    const byName = new Map(corpus.map((c) => [c.name, c.bytes]))
    for (const name of [
      'real single file',
      'real multi file',
      'real hybrid with pads',
      'real private',
    ]) {
      expect((await parseTorrentFile(byName.get(name)!)).ok, name).toBe(true)
    }
    for (const name of ['v2-only', '10,001 files', '1,000-deep path']) {
      expect((await parseTorrentFile(byName.get(name)!)).ok, name).toBe(false)
    }
  })
})
