/**
 * The one-time password a person just signed in with, handed from the sign-in form to "Choose a
 * new password" so they need not type it twice. In memory only, and taken once.
 */
let handedOver: string | null = null

export function handOverOneTimePassword(password: string): void {
  handedOver = password
}

export function takeOneTimePassword(): string | null {
  const password = handedOver
  handedOver = null
  return password
}
