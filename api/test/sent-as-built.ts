import '../src/app.ts' // registering the routes fills `sentAsBuilt`
import { sentAsBuilt } from '../src/lib/route.ts'

const patterns = new Map<string, RegExp>()
const patternOf = (path: string) => {
  let pattern = patterns.get(path)
  if (!pattern) {
    pattern = new RegExp(`^${path.replace(/:[^/]+/g, '[^/]+')}$`)
    patterns.set(path, pattern)
  }
  return pattern
}

/**
 * The answer of a route that sends it as built (`route`'s `sendAsBuilt`) must be exactly what its
 * response schema's parse makes of it: no member more, none changed, none in another order.
 */
export async function assertSentAsParsed(request: Request, response: Response): Promise<void> {
  const { pathname } = new URL(request.url)
  for (const endpoint of sentAsBuilt) {
    if (endpoint.method !== request.method || !patternOf(endpoint.path).test(pathname)) continue
    if (response.status !== endpoint.status || !endpoint.response) return
    const text = await response.clone().text()
    const parsed = JSON.stringify(endpoint.response.parse(JSON.parse(text)))
    if (parsed !== text)
      throw new Error(
        `${request.method} ${pathname} is sent as built, but its answer is not what its schema's parse gives:\n${text}\n${parsed}`,
      )
  }
}
