import { z } from 'zod'
import { endpoint, type Endpoint } from './endpoint.ts'
import { IdParams } from './schemas/common.ts'
import { CreatedToken, CreateTokenBody, TokenList } from './schemas/token.ts'
import {
  AuthResponse,
  AupBody,
  LoginBody,
  MeResponse,
  RegisterBody,
  SessionList,
  User,
} from './schemas/user.ts'

/** Sign-up, sign-in and the device sessions: part of the one endpoint table (`endpoints`). */
export const authEndpoints = {
  register: endpoint({
    method: 'POST',
    path: '/api/auth/register',
    access: 'public',
    body: RegisterBody,
    response: AuthResponse,
    status: 201,
  }),
  login: endpoint({
    method: 'POST',
    path: '/api/auth/login',
    access: 'public',
    body: LoginBody,
    response: AuthResponse,
    status: 200,
  }),
  logout: endpoint({
    method: 'POST',
    path: '/api/auth/logout',
    access: 'session',
    response: null,
    status: 204,
  }),
  me: endpoint({
    method: 'GET',
    path: '/api/auth/me',
    access: 'user',
    response: MeResponse,
    status: 200,
  }),
  acceptAup: endpoint({
    method: 'POST',
    path: '/api/auth/aup',
    access: 'session',
    body: AupBody,
    response: z.object({ user: User }),
    status: 200,
  }),

  listSessions: endpoint({
    method: 'GET',
    path: '/api/sessions',
    access: 'session',
    response: SessionList,
    status: 200,
  }),
  revokeSession: endpoint({
    method: 'DELETE',
    path: '/api/sessions/:id',
    access: 'session',
    params: IdParams,
    response: null,
    status: 204,
  }),
} as const satisfies Record<string, Endpoint>

/** API tokens for scripts and the extension: part of the one endpoint table (`endpoints`). */
export const tokenEndpoints = {
  listTokens: endpoint({
    method: 'GET',
    path: '/api/tokens',
    access: 'session',
    response: TokenList,
    status: 200,
  }),
  createToken: endpoint({
    method: 'POST',
    path: '/api/tokens',
    access: 'session',
    body: CreateTokenBody,
    response: CreatedToken,
    status: 201,
  }),
  revokeToken: endpoint({
    method: 'DELETE',
    path: '/api/tokens/:id',
    access: 'session',
    params: IdParams,
    response: null,
    status: 204,
  }),
} as const satisfies Record<string, Endpoint>
