import { endpoint, type Endpoint } from './endpoint.ts'
import { IdParams } from './schemas/common.ts'
import { ChangePasswordBody, DeleteAccountBody, ResetPasswordResponse } from './schemas/user.ts'

/**
 * The account's own endpoints (password, all sessions, deletion) and the admin's password reset;
 * part of the one endpoint table (`endpoints`), kept here so that file stays readable.
 */
export const accountEndpoints = {
  changePassword: endpoint({
    method: 'POST',
    path: '/api/account/password',
    access: 'session',
    body: ChangePasswordBody,
    response: null,
    status: 204,
  }),
  signOutEverywhere: endpoint({
    method: 'POST',
    path: '/api/account/sign-out-everywhere',
    access: 'session',
    response: null,
    status: 204,
  }),
  deleteAccount: endpoint({
    method: 'POST',
    path: '/api/account/delete',
    access: 'session',
    body: DeleteAccountBody,
    response: null,
    status: 204,
  }),
  adminResetPassword: endpoint({
    method: 'POST',
    path: '/api/admin/users/:id/reset-password',
    access: 'admin',
    params: IdParams,
    response: ResetPasswordResponse,
    status: 200,
  }),
} as const satisfies Record<string, Endpoint>
