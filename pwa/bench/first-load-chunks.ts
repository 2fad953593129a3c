/** One chunk of Vite's build manifest (`build.manifest`), as much of it as the bench reads. */
export interface ManifestChunk {
  file: string
  isEntry?: boolean
  isDynamicEntry?: boolean
  imports?: string[]
  dynamicImports?: string[]
  css?: string[]
}

export type Manifest = Record<string, ManifestChunk>

/** The pages a visit starts on, and the screen modules their route renders. */
export const FIRST_PAGES = {
  '/signin': ['src/screens/auth/sign-in.tsx'],
  '/ (dashboard, signed in)': ['src/app/layout.tsx', 'src/screens/dashboard/dashboard.tsx'],
}

/**
 * The JavaScript files a page loads before it can show anything: the `entry` chunk, the chunk
 * of each of `screens` (the modules its route renders) that the build split off lazily, and
 * every chunk those import statically, transitively. A screen that is not a manifest key was
 * bundled into a chunk already counted. Dynamic imports are left out: they load only when the
 * user goes somewhere else.
 *
 * @example
 * firstLoadChunks(manifest, 'index.html', ['src/screens/dashboard/dashboard.tsx'])
 * // ['assets/index-abc.js', 'assets/jsx-runtime-def.js', 'assets/dashboard-123.js']
 */
export function firstLoadChunks(manifest: Manifest, entry: string, screens: string[]): string[] {
  const files: string[] = []
  const seen = new Set<string>()
  const visit = (key: string) => {
    if (seen.has(key)) return
    seen.add(key)
    const chunk = manifest[key]
    if (!chunk) throw new Error(`"${key}" is not in the build manifest`)
    if (chunk.file.endsWith('.js')) files.push(chunk.file)
    for (const imported of chunk.imports ?? []) visit(imported)
  }
  visit(entry)
  for (const screen of screens) if (screen in manifest) visit(screen)
  return files
}
