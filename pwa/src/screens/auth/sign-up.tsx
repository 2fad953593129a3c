import { AuthForm } from './auth-form.tsx'

export default function SignUp() {
  return <AuthForm mode="signup" />
}
