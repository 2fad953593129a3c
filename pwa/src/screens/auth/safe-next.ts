/**
 * Where to go after signing in: the `next` query value when it is a path on this site, else `/`.
 * Anything else (`//evil.example`, `https://…`, `javascript:`) would turn sign-in into an open redirect.
 */
export function safeNext(value: string | null): string {
  if (!value || !value.startsWith('/') || value.startsWith('//') || value.startsWith('/\\')) {
    return '/'
  }
  return value
}
