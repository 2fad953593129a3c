import { AuthForm } from './auth-form.tsx'

export default function SignIn() {
  return <AuthForm mode="signin" />
}
