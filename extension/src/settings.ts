// Checks what a person types into the options page before anything is sent anywhere.

export type Checked<T> = { ok: true; value: T } | { ok: false; message: string }

export interface ServerAddress {
  /** Origin only: the API lives at `/api` and the web app at `/` of it. */
  origin: string
  /**
   * The host permission to ask for. Match patterns cannot name a port in every browser, so it
   * covers the host on any port.
   */
  permission: string
}

/** A server on this computer: `localhost`, the IPv4 loopback block (127/8) or `[::1]`. */
function isLoopback(hostname: string): boolean {
  return hostname === 'localhost' || hostname === '[::1]' || /^127(\.\d{1,3}){3}$/.test(hostname)
}

/** The scheme a bare address gets: http for this computer (what `npm start` serves), else https. */
function withScheme(text: string): string {
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(text)) return text
  try {
    if (isLoopback(new URL(`http://${text}`).hostname)) return `http://${text}`
  } catch {
    // Not an address at all: https below fails the same way, with the usual message.
  }
  return `https://${text}`
}

/**
 * Reads the "Server URL" field. A bare address gets `http://` on this computer and `https://`
 * elsewhere; plain `http://` is accepted only for a server on this computer, since the API token
 * would otherwise travel unencrypted.
 */
export function parseServerUrl(input: string): Checked<ServerAddress> {
  const text = input.trim()
  if (!text) {
    return {
      ok: false,
      message: 'Enter the address of your tseeder server, e.g. https://tseeder.app.',
    }
  }
  let url: URL
  try {
    url = new URL(withScheme(text))
  } catch {
    return { ok: false, message: `"${text}" is not a web address. Use e.g. https://tseeder.app.` }
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    return { ok: false, message: 'The server URL must start with https://.' }
  }
  if (url.username || url.password) {
    return { ok: false, message: 'Leave the user name and password out of the server URL.' }
  }
  if (url.protocol === 'http:' && !isLoopback(url.hostname)) {
    return {
      ok: false,
      message:
        'Use https:// for a server on another computer: over http:// the API token would travel unencrypted.',
    }
  }
  return {
    ok: true,
    value: { origin: url.origin, permission: `${url.protocol}//${url.hostname}/*` },
  }
}

/**
 * The address Connect will use, shown under the field while it is typed (a bare
 * `127.0.0.1:8787` becomes `http://127.0.0.1:8787`); null until the field reads as one.
 */
export function serverUrlPreview(input: string): string | null {
  const server = parseServerUrl(input)
  return server.ok ? `Connects to ${server.value.origin}` : null
}

/** Reads the "API token" field: tseeder's tokens are `tsd_` followed by the secret. */
export function parseApiToken(input: string): Checked<string> {
  const token = input.trim()
  if (!token) {
    return {
      ok: false,
      message: 'Paste an API token. Create one in tseeder under Settings → API tokens.',
    }
  }
  if (/\s/.test(token) || !/^tsd_[A-Za-z0-9_-]{16,}$/.test(token)) {
    return {
      ok: false,
      message:
        'That is not a tseeder API token: tokens start with "tsd_". Copy it again from Settings → API tokens.',
    }
  }
  return { ok: true, value: token }
}

/** Where the web app lets the user create an API token. */
export function tokenPageUrl(origin: string): string {
  return `${origin}/settings/tokens`
}
