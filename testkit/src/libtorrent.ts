// Torrents from another client: libtorrent (qBittorrent, Deluge) through Debian's python3-libtorrent.
// testkit/scripts/lt-seed.py makes a hybrid (v1 + v2, with BEP 47 pad files), a v1-only and a
// v2-only .torrent of a folder, and seeds the hybrid one on 127.0.0.1 (no DHT, LSD, UPnP, NAT-PMP).
import { type ChildProcess, spawn, spawnSync } from 'node:child_process'
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { content, sha256, type TorrentFixture } from './fixtures.ts'
import { tempDir } from './wait.ts'

const PYTHON = '/usr/bin/python3'
const SCRIPTS = join(dirname(fileURLToPath(import.meta.url)), '..', 'scripts')
const SCRIPT = join(SCRIPTS, 'lt-seed.py')

/**
 * Throws, saying what is missing and how to install it, unless Debian's python3-libtorrent can be
 * imported. Interop tests call it first: a missing client fails them, never skips them.
 */
export function requireLibtorrent(): void {
  const probe = spawnSync(PYTHON, ['-c', 'import libtorrent'], { encoding: 'utf8' })
  if (probe.status !== 0) {
    throw new Error(
      `python3-libtorrent is missing: the interop tests make and seed torrents with libtorrent ` +
        `through ${PYTHON}. Install it with \`apt-get install -y python3-libtorrent\` ` +
        `(.ci/run does). ${probe.error?.message ?? probe.stderr.trim().split('\n').at(-1)}`,
    )
  }
}

/** A file of the seeded folder: its path inside the torrent (name first), size and sha256. */
export interface SeededFile {
  path: string
  size: number
  sha256: string
}

export interface LibtorrentSeeder {
  /** The folder's name, which is the torrent's name. */
  name: string
  /** The real files (never pad files), in the order they were written. */
  files: SeededFile[]
  /** The v1 info hash of the hybrid torrent. */
  infohash: string
  /** libtorrent's own magnet of the hybrid torrent: `xt=urn:btih:…&xt=urn:btmh:…`, tracker, name. */
  magnet: string
  /** The .torrent files libtorrent made: hybrid (seeded), v1 only, v2 only. */
  torrents: { hybrid: Buffer; v1: Buffer; v2: Buffer }
  /** The seeder's TCP port on 127.0.0.1. */
  port: number
  close(): Promise<void>
}

/**
 * The default folder: a name with spaces, files that do not end on a piece boundary (so the hybrid
 * torrent has pad files between them), an empty file and a subfolder; about 1.4 MB in all.
 */
export const INTEROP_FILES: { path: string; size: number }[] = [
  { path: 'a file with spaces.bin', size: 100_000 },
  { path: 'c.bin', size: 50_001 },
  { path: 'empty.txt', size: 0 },
  { path: 'sub dir/b.bin', size: 1_234_567 },
]

/**
 * Writes `files` under a folder `name`, has libtorrent make its three torrents (16 KiB pieces by
 * default) announcing to `announce`, and seeds the hybrid one until `close()`.
 */
export async function startLibtorrentSeeder(options: {
  announce: string
  name?: string
  files?: { path: string; size: number }[]
  pieceLength?: number
}): Promise<LibtorrentSeeder> {
  requireLibtorrent()
  const name = options.name ?? 'interop set'
  const root = await tempDir('libtorrent')
  const folder = join(root, 'content', name)
  const files: SeededFile[] = []
  for (const file of options.files ?? INTEROP_FILES) {
    const data = content(file.size)
    await mkdir(dirname(join(folder, file.path)), { recursive: true })
    await writeFile(join(folder, file.path), data)
    files.push({ path: `${name}/${file.path}`, size: file.size, sha256: sha256(data) })
  }
  const out = join(root, 'torrents')
  await mkdir(out)
  const args = [SCRIPT, folder, out, options.announce, String(options.pieceLength ?? 16 * 1024)]
  const child = spawn(PYTHON, args, { stdio: ['pipe', 'pipe', 'pipe'] })
  let stderr = ''
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
  try {
    const ready = await firstLine(child, () => stderr)
    const started = JSON.parse(ready) as {
      port: number
      infohash: string
      magnet: string
      torrents: Record<'hybrid' | 'v1' | 'v2', string>
    }
    const read = (kind: 'hybrid' | 'v1' | 'v2') => readFile(started.torrents[kind])
    return {
      name,
      files,
      infohash: started.infohash,
      magnet: started.magnet,
      torrents: { hybrid: await read('hybrid'), v1: await read('v1'), v2: await read('v2') },
      port: started.port,
      async close() {
        await stop(child)
        await rm(root, { recursive: true, force: true })
      },
    }
  } catch (error) {
    await stop(child)
    await rm(root, { recursive: true, force: true })
    throw error
  }
}

/**
 * Seeds a hand-built `fixture` (named `name`, as given to `buildTorrent`) with libtorrent on
 * 127.0.0.1, announcing to its tracker: the honest check for torrents other tools wrote, such as
 * one whose info dictionary is not canonical bencode. `infohash` is libtorrent's own.
 */
export async function seedFixtureWithLibtorrent(
  fixture: TorrentFixture,
  { name, singleFile = false }: { name: string; singleFile?: boolean },
): Promise<{ infohash: string; port: number; close(): Promise<void> }> {
  requireLibtorrent()
  const root = await tempDir('libtorrent')
  for (const file of fixture.files) {
    const path = singleFile ? join(root, name) : join(root, name, ...file.segments)
    await mkdir(dirname(path), { recursive: true })
    await writeFile(path, file.data)
  }
  await writeFile(join(root, 'seeded.torrent'), fixture.torrent)
  const script = join(SCRIPTS, 'lt-seed-torrent.py')
  const child = spawn(PYTHON, [script, join(root, 'seeded.torrent'), root], { stdio: 'pipe' })
  let stderr = ''
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
  const close = async () => {
    await stop(child)
    await rm(root, { recursive: true, force: true })
  }
  try {
    const started = JSON.parse(await firstLine(child, () => stderr, 'lt-seed-torrent.py')) as {
      port: number
      infohash: string
    }
    return { ...started, close }
  } catch (error) {
    await close()
    throw error
  }
}

function firstLine(
  child: ChildProcess,
  stderr: () => string,
  script = 'lt-seed.py',
): Promise<string> {
  return new Promise((resolve, reject) => {
    let out = ''
    const timer = setTimeout(() => fail('did not start within 60 s'), 60_000)
    const fail = (why: string) => {
      clearTimeout(timer)
      reject(new Error(`${script} ${why}: ${stderr().trim().slice(-2000)}`))
    }
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString()
      const end = out.indexOf('\n')
      if (end >= 0) {
        clearTimeout(timer)
        resolve(out.slice(0, end))
      }
    })
    child.once('error', (error) => fail(error.message))
    child.once('exit', (code, signal) => fail(`exited (${code ?? signal}) before seeding`))
  })
}

/** Closes the seeder's standard input (it exits) and kills it if it has not after 5 s. */
async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  child.stdin!.end()
  const timer = setTimeout(() => child.kill('SIGKILL'), 5_000)
  await exited
  clearTimeout(timer)
}
