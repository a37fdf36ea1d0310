/**
 * django-allauth headless, browser client (`/_allauth/browser/v1`). Session cookie + CSRF.
 * Shapes as in allauth's OpenAPI spec: 200 `{status, data: {user, methods}, meta:
 * {is_authenticated: true}}`; 401 `{status, data: {flows: [{id, is_pending?}]}, meta:
 * {is_authenticated: false}}` (401 with a pending flow is a step, not a failure); 400
 * `{status, errors: [...]}`.
 */

import { ApiError, parseErrors } from "./errors";
import { csrfToken, rawRequest, type Method, type RawResponse } from "./http";

export const AUTH_BASE = "/_allauth/browser/v1";

export interface AuthUser {
  id: number | string;
  email?: string | null;
  display?: string;
}

export interface Flow {
  id: string;
  is_pending?: boolean;
}

export type AuthState =
  | { kind: "authenticated"; user: AuthUser }
  | { kind: "pending"; flow: "verify_email" | "password_reset_by_code" | string }
  | { kind: "anonymous" };

interface AuthBody {
  status?: number;
  data?: { user?: AuthUser; flows?: Flow[] };
  meta?: { is_authenticated?: boolean };
}

function isAuthBody(b: unknown): b is AuthBody {
  return typeof b === "object" && b !== null;
}

/** Read an allauth answer into a state; throws ApiError for 400/403/409/429/5xx. */
export function readAuth(resp: RawResponse): AuthState {
  const body = isAuthBody(resp.body) ? resp.body : {};
  if (resp.status === 200 && body.meta?.is_authenticated && body.data?.user) {
    return { kind: "authenticated", user: body.data.user };
  }
  if (resp.status === 401 || resp.status === 410 || (resp.status === 200 && body.data?.flows)) {
    const pending = body.data?.flows?.find((f) => f.is_pending);
    return pending ? { kind: "pending", flow: pending.id } : { kind: "anonymous" };
  }
  if (resp.status === 200) return { kind: "anonymous" };
  throw new ApiError(parseErrors(resp.status, resp.body), resp.body);
}

/**
 * Whether this browser may hold a session: it has a cookie from us. The session cookie is
 * HttpOnly, but the server sets `csrftoken` with it (and never removes it), so a browser without
 * one has never been signed in here: the app starts signed out at once instead of asking for a 401
 * (which the browser logs as an error on every first visit).
 */
export function maybeSignedIn(): boolean {
  return csrfToken() !== null;
}

async function call(method: Method, path: string, body?: unknown, headers?: Record<string, string>): Promise<AuthState> {
  const opts: { body?: unknown; headers?: Record<string, string> } = {};
  if (body !== undefined) opts.body = body;
  if (headers) opts.headers = headers;
  return readAuth(await rawRequest(method, AUTH_BASE + path, opts));
}

/** Also sets the csrftoken cookie (allauth's browser views call get_token). */
export const getSession = (): Promise<AuthState> => call("GET", "/auth/session");

/** Makes sure the csrftoken cookie exists before a first POST (allauth's config sets it). */
export async function prepare(): Promise<void> {
  if (csrfToken()) return;
  await rawRequest("GET", `${AUTH_BASE}/config`);
}

/** Log in or sign up; allauth answers 409 when this browser is already signed in. */
async function enter(path: string, email: string, password: string): Promise<AuthState> {
  await prepare();
  const resp = await rawRequest("POST", AUTH_BASE + path, { body: { email, password } });
  if (resp.status === 409) return getSession();
  return readAuth(resp);
}

export const login = (email: string, password: string): Promise<AuthState> => enter("/auth/login", email, password);

export const signup = (email: string, password: string): Promise<AuthState> => enter("/auth/signup", email, password);

/** The code from the email (codes are enabled) or the key from a `#/verify-email/{key}` link. */
export const verifyEmail = (key: string): Promise<AuthState> =>
  call("POST", "/auth/email/verify", { key: key.trim() });

export const resendVerification = async (): Promise<void> => {
  const resp = await rawRequest("POST", `${AUTH_BASE}/auth/email/verify/resend`);
  if (resp.status !== 200) throw new ApiError(parseErrors(resp.status, resp.body), resp.body);
};

/** Starts a reset; with codes enabled the answer is a 401 with `password_reset_by_code` pending. */
export const requestPasswordReset = async (email: string): Promise<AuthState> => {
  const resp = await rawRequest("POST", `${AUTH_BASE}/auth/password/request`, { body: { email } });
  if (resp.status === 200) return { kind: "anonymous" };
  return readAuth(resp);
};

/** Completes a reset with the emailed code (or a link key) and a new password. */
export const resetPassword = (key: string, password: string): Promise<AuthState> =>
  call("POST", "/auth/password/reset", { key: key.trim(), password });

export const logout = async (): Promise<void> => {
  const resp = await rawRequest("DELETE", `${AUTH_BASE}/auth/session`);
  if (resp.status !== 401 && resp.status !== 200) {
    throw new ApiError(parseErrors(resp.status, resp.body), resp.body);
  }
};
