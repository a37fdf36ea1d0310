/**
 * allauth headless MFA, browser client: the second step of logging in (`mfa_authenticate`: a code
 * from an authenticator app, a recovery code, or a passkey), and managing one's own authenticators
 * (`/account/authenticators/…`: TOTP, passkeys, recovery codes). Adding or viewing an
 * authenticator needs a recent sign-in; when it is too old allauth answers 401 with the
 * `reauthenticate` flows, thrown here as `ReauthRequired` so the screen can ask for the password
 * (or a code) and try again.
 */

import { AUTH_BASE, readAuth, type AuthState } from "./auth";
import { ApiError, parseErrors } from "./errors";
import { rawRequest, type Method, type RawResponse } from "./http";
import { createPasskey, getPasskey } from "./webauthn";

export type AuthenticatorType = "totp" | "recovery_codes" | "webauthn";

export interface Authenticator {
  type: AuthenticatorType;
  created_at: number;
  last_used_at: number | null;
  id?: number;
  name?: string;
  total_code_count?: number;
  unused_code_count?: number;
  unused_codes?: string[];
}

export interface TotpSetup {
  secret: string;
  totp_url: string;
}

/** allauth wants a fresh sign-in first: `flows` are the ways it offers (password, a code…). */
export class ReauthRequired extends Error {
  readonly flows: string[];
  constructor(flows: string[]) {
    super("reauthentication_required");
    this.name = "ReauthRequired";
    this.flows = flows;
  }
}

interface Body {
  data?: unknown;
  meta?: Record<string, unknown> & { is_authenticated?: boolean };
}

function bodyOf(resp: RawResponse): Body {
  return typeof resp.body === "object" && resp.body !== null ? (resp.body as Body) : {};
}

function flowsOf(resp: RawResponse): string[] {
  const data = bodyOf(resp).data as { flows?: { id: string }[] } | undefined;
  return (data?.flows ?? []).map((f) => f.id);
}

/** Throws ReauthRequired for allauth's "sign in again" answer, ApiError for other failures. */
function check(resp: RawResponse, ok: readonly number[] = [200]): Body {
  if (ok.includes(resp.status)) return bodyOf(resp);
  if (resp.status === 401 && bodyOf(resp).meta?.is_authenticated) throw new ReauthRequired(flowsOf(resp));
  throw new ApiError(parseErrors(resp.status, resp.body), resp.body);
}

const call = (method: Method, path: string, body?: unknown): Promise<RawResponse> =>
  rawRequest(method, AUTH_BASE + path, body === undefined ? {} : { body });

export async function authenticators(): Promise<Authenticator[]> {
  return check(await call("GET", "/account/authenticators")).data as Authenticator[];
}

/** A fresh secret and its `otpauth://` URL; null when TOTP is already on. */
export async function totpSetup(): Promise<TotpSetup | null> {
  const resp = await call("GET", "/account/authenticators/totp");
  const body = check(resp, [200, 404]);
  if (resp.status === 200) return null;
  return { secret: String(body.meta?.["secret"] ?? ""), totp_url: String(body.meta?.["totp_url"] ?? "") };
}

export async function totpActivate(code: string): Promise<void> {
  check(await call("POST", "/account/authenticators/totp", { code: code.replace(/\s+/g, "") }));
}

/** The unused recovery codes (allauth makes them with the first authenticator); [] when none. */
export async function recoveryCodes(): Promise<string[]> {
  const resp = await call("GET", "/account/authenticators/recovery-codes");
  const body = check(resp, [200, 404]);
  return resp.status === 404 ? [] : ((body.data as Authenticator).unused_codes ?? []);
}

export async function recoveryCodesRenew(): Promise<string[]> {
  return (check(await call("POST", "/account/authenticators/recovery-codes")).data as Authenticator).unused_codes ?? [];
}

/**
 * Adds a passkey: the server's creation options, the browser's ceremony, the credential back.
 * Returns false when the person cancelled the browser's prompt; whether recovery codes were made.
 */
export async function passkeyAdd(name: string): Promise<{ added: boolean; recoveryCodesGenerated: boolean }> {
  const options = check(await call("GET", "/account/authenticators/webauthn?passwordless")).data as {
    creation_options: Record<string, unknown>;
  };
  let credential: Record<string, unknown> | null;
  try {
    credential = await createPasskey(options.creation_options);
  } catch (err) {
    if (err instanceof DOMException && (err.name === "NotAllowedError" || err.name === "AbortError")) {
      return { added: false, recoveryCodesGenerated: false };
    }
    throw err;
  }
  if (!credential) return { added: false, recoveryCodesGenerated: false };
  const body = check(await call("POST", "/account/authenticators/webauthn", { name, credential }));
  return { added: true, recoveryCodesGenerated: Boolean(body.meta?.["recovery_codes_generated"]) };
}

export async function reauthenticate(password: string): Promise<void> {
  check(await call("POST", "/auth/reauthenticate", { password }));
}

export async function reauthenticateWithCode(code: string): Promise<void> {
  check(await call("POST", "/auth/2fa/reauthenticate", { code: code.replace(/\s+/g, "") }));
}

// --- the second step of logging in ----------------------------------------------------------------

/** The MFA step's ways in (`types` of the pending `mfa_authenticate` flow). */
export async function pendingTypes(): Promise<AuthenticatorType[] | null> {
  const resp = await call("GET", "/auth/session");
  const data = bodyOf(resp).data as { flows?: { id: string; is_pending?: boolean; types?: AuthenticatorType[] }[] } | undefined;
  const flow = data?.flows?.find((f) => f.id === "mfa_authenticate" && f.is_pending);
  return flow ? (flow.types ?? []) : null;
}

/** A code from the authenticator app, or a recovery code. */
export async function authenticateWithCode(code: string): Promise<AuthState> {
  return readAuth(await call("POST", "/auth/2fa/authenticate", { code: code.replace(/\s+/g, "") }));
}

/** allauth's WebAuthn round trip at `path`: its options, the browser's prompt, the answer. */
async function withPasskey(path: "/auth/webauthn/login" | "/auth/webauthn/authenticate"): Promise<AuthState | null> {
  const options = check(await call("GET", path)).data as { request_options: Record<string, unknown> };
  let credential: Record<string, unknown> | null;
  try {
    credential = await getPasskey(options.request_options);
  } catch (err) {
    if (err instanceof DOMException && (err.name === "NotAllowedError" || err.name === "AbortError")) return null;
    throw err;
  }
  if (!credential) return null;
  return readAuth(await call("POST", path, { credential }));
}

/**
 * Signing in with a passkey alone, from the login screen (allauth's passwordless login,
 * `MFA_PASSKEY_LOGIN_ENABLED`): the passkey is both steps. Null when the person cancelled the
 * browser's prompt.
 */
export function loginWithPasskey(): Promise<AuthState | null> {
  return withPasskey("/auth/webauthn/login");
}

/** The passkey as the second step; null when the person cancelled the browser's prompt. */
export function authenticateWithPasskey(): Promise<AuthState | null> {
  return withPasskey("/auth/webauthn/authenticate");
}
