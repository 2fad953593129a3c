import { AuthForm } from './AuthForm.tsx'

export default function SignIn() {
  return <AuthForm mode="signin" />
}
