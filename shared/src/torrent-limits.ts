// What tseeder accepts from a .torrent, in one place, each limit with its reason. The parser
// (`parseTorrentFile`) checks every one before anything is stored or sent to an agent.

import { formatBytes } from './format.ts'

const count = (n: number): string => n.toLocaleString('en-US')

/**
 * Largest .torrent file accepted: real ones are a few KB to 2 MB, even for 10,000 files. In
 * decimal units, as every size the user reads is (`formatBytes`), so the limit reads "5 MB".
 */
export const MAX_TORRENT_BYTES = 5_000_000

/**
 * Most files a torrent may list, from a .torrent or from a magnet's metadata. Each file is one
 * D1 row, written in one batch with its job (and again once stored): a batch must stay within
 * D1's statement and time limits, so a torrent of a million tiny files cannot stall the database.
 * BEP 47 padding files are not counted: they are never stored.
 */
export const MAX_TORRENT_FILES = 10_000

/**
 * Most pieces a torrent may have (2^17 = 131,072, 2.5 MiB of hashes): a 128 GiB torrent of
 * 1 MiB pieces. Clients pick larger pieces for larger torrents (libtorrent aims at a few
 * thousand), so only a malformed or hostile torrent comes near; an agent keeps a bitfield and
 * checks a hash per piece, and each costs it memory and time.
 */
export const MAX_TORRENT_PIECES = 2 ** 17

/**
 * Deepest folder nesting a file may have inside the torrent, in path segments. Storage keys,
 * ZIP archives and the file systems users save to all break on paths far shorter than a
 * thousand folders deep; real torrents rarely go past ten.
 */
export const MAX_TORRENT_PATH_DEPTH = 64

/** Longest path of a file inside a torrent, in bytes of UTF-8 (the file list's own limit). */
export const MAX_TORRENT_PATH_BYTES = 4096

/** Longest name of a torrent or of one file or folder in it, in bytes of UTF-8. */
export const MAX_TORRENT_NAME_BYTES = 1024

/** What a user reads when a torrent lists more files than {@link MAX_TORRENT_FILES}. */
export function tooManyFilesMessage(files: number): string {
  return `This torrent lists ${count(files)} files; tseeder accepts torrents of up to ${count(MAX_TORRENT_FILES)} files.`
}

/** The sentences for each limit a .torrent can pass, with the number it reached. */
export const limitMessages = {
  bytes: (bytes: number) => {
    const limit = formatBytes(MAX_TORRENT_BYTES)
    const size = formatBytes(bytes) === limit ? `over ${limit}` : formatBytes(bytes)
    return `The .torrent file is ${size}; tseeder accepts .torrent files of up to ${limit}. Check that you picked a .torrent and not the download itself.`
  },
  pieces: (pieces: number) =>
    `This torrent has ${count(pieces)} pieces; tseeder accepts torrents of up to ${count(MAX_TORRENT_PIECES)} pieces.`,
  depth: (depth: number) =>
    `A file in this torrent is ${count(depth)} folders deep; tseeder accepts paths of up to ${count(MAX_TORRENT_PATH_DEPTH)} folders.`,
  pathBytes: (bytes: number) =>
    `A file path in this torrent is ${count(bytes)} bytes long; tseeder accepts paths of up to ${count(MAX_TORRENT_PATH_BYTES)} bytes.`,
  nameBytes: (bytes: number) =>
    `A name in this torrent is ${count(bytes)} bytes long; tseeder accepts names of up to ${count(MAX_TORRENT_NAME_BYTES)} bytes.`,
}
