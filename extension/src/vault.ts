// What the extension keeps about the account is stored sealed: the connection (API token, email,
// plan) and the job list. `local` storage can be read by content scripts wherever the browser
// cannot close it to them (Firefox; Chrome before 140), and content scripts run in every web
// page's process: a page that compromises its renderer gets what they may read. So `local` holds
// these only as AES-GCM ciphertext, under a key that never leaves the extension's own origin: a
// non-extractable CryptoKey kept in this origin's IndexedDB, which content scripts (running in
// pages' origins) cannot open, and which cannot be exported.
//
//   vault:v1:<base64 IV>:<base64 ciphertext and tag>

const PREFIX = 'vault:v1:'
const DB_NAME = 'tseeder-vault'
const STORE = 'keys'
/** The key's name (from when only the token was sealed; kept, so that stored values still open). */
const KEY_ID = 'token'

function request<T>(req: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    req.onsuccess = () => resolve(req.result)
    req.onerror = () => reject(req.error)
  })
}

function openDb(): Promise<IDBDatabase> {
  const req = indexedDB.open(DB_NAME, 1)
  req.onupgradeneeded = () => req.result.createObjectStore(STORE)
  return request(req)
}

let vaultKey: Promise<CryptoKey> | null = null

/** The extension's sealing key: read from IndexedDB, or made (non-extractable) and kept there. */
function key(): Promise<CryptoKey> {
  vaultKey ??= (async () => {
    const db = await openDb()
    try {
      const kept = await request(db.transaction(STORE).objectStore(STORE).get(KEY_ID))
      if (kept instanceof CryptoKey) return kept
      const made = await crypto.subtle.generateKey({ name: 'AES-GCM', length: 256 }, false, [
        'encrypt',
        'decrypt',
      ])
      // `add`, not `put`: should two contexts make a key at once, the first one kept wins and
      // the other reads it back.
      const write = db.transaction(STORE, 'readwrite').objectStore(STORE).add(made, KEY_ID)
      const added = await request(write).then(
        () => true,
        () => false,
      )
      if (added) return made
      return (await request(db.transaction(STORE).objectStore(STORE).get(KEY_ID))) as CryptoKey
    } finally {
      db.close()
    }
  })()
  vaultKey.catch(() => (vaultKey = null))
  return vaultKey
}

const toBase64 = (bytes: Uint8Array) => btoa(String.fromCharCode(...bytes))
const fromBase64 = (text: string) => Uint8Array.from(atob(text), (c) => c.charCodeAt(0))

export function isSealed(stored: string): boolean {
  return stored.startsWith(PREFIX)
}

/**
 * `text` as stored: sealed with the extension's key. Where this browser profile gives the
 * extension no IndexedDB (some privacy settings), it stays as it is, as before sealing existed:
 * connecting must keep working.
 */
export async function seal(text: string): Promise<string> {
  let vault: CryptoKey
  try {
    vault = await key()
  } catch (error) {
    console.warn(
      JSON.stringify({
        msg: 'vault unavailable: account data stored unsealed',
        error: String(error),
      }),
    )
    return text
  }
  const iv = crypto.getRandomValues(new Uint8Array(12))
  const sealed = await crypto.subtle.encrypt(
    { name: 'AES-GCM', iv },
    vault,
    new TextEncoder().encode(text),
  )
  return `${PREFIX}${toBase64(iv)}:${toBase64(new Uint8Array(sealed))}`
}

/**
 * The text `stored` holds; text stored before sealing is returned as it is. Null when it does not
 * open (the extension's key is gone, e.g. its site data was cleared, or it was altered).
 */
export async function unseal(stored: string): Promise<string | null> {
  if (!isSealed(stored)) return stored
  const [iv = '', sealed = ''] = stored.slice(PREFIX.length).split(':')
  try {
    const plain = await crypto.subtle.decrypt(
      { name: 'AES-GCM', iv: fromBase64(iv) },
      await key(),
      fromBase64(sealed),
    )
    return new TextDecoder().decode(plain)
  } catch {
    return null
  }
}

/** Forgets the key this context read (tests: a context that starts afresh). */
export function forgetVaultKey(): void {
  vaultKey = null
}
