/**
 * The bench's processes and content: random single-file torrents, the agent bundle and the S3
 * server as child processes (their CPU time and peak RSS read from /proc), and aria2c.
 */
import { spawn } from 'node:child_process'
import { createHash, randomFillSync } from 'node:crypto'
import { mkdir, open, readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { DeleteObjectCommand } from '@aws-sdk/client-s3'
import { agentEnv } from '@tseeder/testkit/fake-api'
import { bencode } from '@tseeder/testkit/fixtures'
import { BUCKET, localS3Client, objectReader } from '@tseeder/testkit/s3'
import { AGENT_NODE_ARGS } from '../node-args.ts'
import { indexedFilePath } from '../src/engine/job-chunk-store.ts'

export const MiB = 1024 * 1024
const PIECE = MiB
const agentRoot = fileURLToPath(new URL('..', import.meta.url))

export interface Seeded {
  torrent: Buffer
  infohash: string
  magnet: string
  size: number
  sha256: string
}

/** Writes `size` random bytes to `<dir>/files/0` and returns a single-file torrent for it. */
export async function makeContent(
  dir: string,
  size: number,
  announce: string,
  name: string,
): Promise<Seeded> {
  await mkdir(join(dir, 'files'), { recursive: true })
  const file = await open(indexedFilePath(dir, 0), 'w')
  const pieces: Buffer[] = []
  const whole = createHash('sha256')
  const chunk = Buffer.alloc(PIECE)
  for (let written = 0; written < size; written += PIECE) {
    const part = chunk.subarray(0, Math.min(PIECE, size - written))
    randomFillSync(part)
    pieces.push(createHash('sha1').update(part).digest())
    whole.update(part)
    await file.write(part)
  }
  await file.close()
  const info = bencode({ name, length: size, 'piece length': PIECE, pieces: Buffer.concat(pieces) })
  const infohash = createHash('sha1').update(info).digest('hex')
  const torrent = Buffer.concat([
    Buffer.from('d'),
    bencode('announce'),
    bencode(announce),
    bencode('info'),
    info,
    Buffer.from('e'),
  ])
  return {
    torrent,
    infohash,
    size,
    sha256: whole.digest('hex'),
    magnet: `magnet:?xt=urn:btih:${infohash}&tr=${encodeURIComponent(announce)}`,
  }
}

/** Peak resident memory (VmHWM) and CPU seconds (user + system; system) of a process so far. */
export async function procStats(pid: number) {
  const status = await readFile(`/proc/${pid}/status`, 'utf8')
  const hwm = Number(/VmHWM:\s+(\d+) kB/.exec(status)?.[1] ?? 0) * 1024
  const stat = (await readFile(`/proc/${pid}/stat`, 'utf8')).split(') ')[1]!.split(' ')
  // utime and stime, in clock ticks (100 a second).
  const [user, system] = [Number(stat[11]) / 100, Number(stat[12]) / 100]
  return { peakRss: hwm, cpuSeconds: user + system, systemSeconds: system }
}

/** CPU seconds of this process's children that have exited (aria2c's, once it has). */
export async function exitedChildrenCpu(): Promise<number> {
  const stat = (await readFile('/proc/self/stat', 'utf8')).split(') ')[1]!.split(' ')
  return (Number(stat[13]) + Number(stat[14])) / 100
}

/** Node flags from a `BENCH_*_NODE_ARGS` variable (space-separated), or `fallback`. */
const nodeArgs = (name: string, fallback: readonly string[]) =>
  process.env[name]?.split(' ').filter(Boolean) ?? [...fallback]

/**
 * The agent bundle (what production runs; `npm run bench` builds it first), wired to `apiUrl`;
 * `bundle` may be followed by the Node flags to run it with instead of the agent's.
 */
export async function spawnAgent(
  apiUrl: string,
  dataDir: string,
  extra: Record<string, string>,
  bundle = 'dist/main.mjs',
) {
  const [path, ...flags] = bundle.split(' ').filter(Boolean)
  const child = spawn(
    process.execPath,
    [...(flags.length ? flags : nodeArgs('BENCH_AGENT_NODE_ARGS', AGENT_NODE_ARGS)), path!],
    {
      cwd: agentRoot,
      env: {
        ...process.env,
        ...agentEnv(apiUrl, dataDir, {
          AGENT_LOG_LEVEL: 'info',
          AGENT_PROGRESS_INTERVAL_MS: process.env.BENCH_PROGRESS_MS ?? '2000',
          ...extra,
        }),
      },
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  )
  const kill = () => child.kill('SIGKILL')
  process.once('exit', kill)
  let output = ''
  const url = await new Promise<string>((resolve, reject) => {
    child.stdout!.on('data', (c: Buffer) => {
      output += c.toString()
      const m = /"url":"(http:\/\/127\.0\.0\.1:\d+)".*"msg":"agent listening"/.exec(output)
      if (m) {
        output = ''
        resolve(m[1]!)
      }
    })
    child.once('exit', () => reject(new Error('agent exited')))
  })
  child.stdout!.resume()
  return {
    url,
    pid: child.pid!,
    async stop() {
      process.off('exit', kill)
      child.kill('SIGTERM')
      await new Promise((resolve) => child.once('exit', resolve))
    },
  }
}

/**
 * One aria2c downloading every magnet at once (DHT, LSD and PEX off, no seeding); resolves with
 * the seconds it took.
 */
export async function aria2c(magnets: string[], dir: string): Promise<number> {
  const started = performance.now()
  await new Promise<void>((resolve, reject) => {
    const child = spawn(
      'aria2c',
      [
        '--enable-dht=false',
        '--bt-enable-lpd=false',
        '--enable-peer-exchange=false',
        '--seed-time=0',
        '--quiet=true',
        `--max-concurrent-downloads=${magnets.length}`,
        `--dir=${dir}`,
        ...(magnets.length > 1 ? ['--force-sequential=true'] : []),
        ...magnets,
      ],
      { stdio: 'inherit' },
    )
    child.once('exit', (code) =>
      code === 0 ? resolve() : reject(new Error(`aria2c exited ${code}`)),
    )
  })
  return (performance.now() - started) / 1000
}

/**
 * The S3 server's Node flags. Its heap is small (16 MB), and the part bytes it holds on their way
 * to disk started a full collection every 12 MB (170 mark-compacts for 2 GiB at the agent’s
 * pace); letting the old generation grow fourfold first halves its CPU (parts uploaded at
 * 120 MiB/s, alternating in one run: 4.62/4.31 → 2.36/2.18 s per GiB).
 */
export const S3_NODE_ARGS = ['--heap-growing-percent=300']

/**
 * Where the S3 server keeps its objects: `memory` (tmpfs, /dev/shm) or `disk` (the temporary
 * folder, on the disk the agent writes its pieces to).
 */
export type S3Store = 'memory' | 'disk'

/**
 * The S3 server (bench/s3-server.ts) in a process of its own, keeping its objects in `store`,
 * read back and removed with the S3 client.
 */
export async function startS3Process(store: S3Store) {
  const child = spawn(
    process.execPath,
    [...nodeArgs('BENCH_S3_NODE_ARGS', S3_NODE_ARGS), '--import', 'tsx', 'bench/s3-server.ts'],
    {
      cwd: agentRoot,
      stdio: ['ignore', 'pipe', 'inherit'],
      env: { ...process.env, BENCH_S3_PARENT: store === 'memory' ? '/dev/shm' : '' },
    },
  )
  const endpoint = await new Promise<string>((resolve, reject) => {
    child.stdout!.on('data', (chunk: Buffer) => {
      const match = /listening (http:\S+)/.exec(chunk.toString())
      if (match) resolve(match[1]!)
    })
    child.once('exit', () => reject(new Error('the S3 server exited')))
  })
  // A failed run must not leave the server behind.
  const kill = () => child.kill('SIGKILL')
  process.once('exit', kill)
  const reader = objectReader(endpoint)
  const client = localS3Client(endpoint)
  return {
    endpoint,
    pid: child.pid!,
    objectSha256: reader.objectSha256,
    /** Removes an object once checked, so that the server keeps at most one agent run's objects. */
    async deleteObject(key: string) {
      await client.send(new DeleteObjectCommand({ Bucket: BUCKET, Key: key }))
    },
    async close() {
      client.destroy()
      reader.destroy()
      process.off('exit', kill)
      child.kill('SIGTERM')
      await new Promise((resolve) => child.once('exit', resolve))
    },
  }
}
