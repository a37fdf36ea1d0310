/**
 * allauth's flows and the screens they live on, in one place (as allauth's own React SPA example
 * keeps them in `routing.js`): which route each flow has, and where an allauth answer takes the
 * person next. Screens call `follow()` with what allauth answered; nothing else decides.
 */

import type { AuthState } from "./auth";
import { navigate } from "./router";
import { getState, setState, signedIn } from "./store";

/** allauth's flow ids (headless `data.flows[].id`) and the PWA's route for each. */
export const FLOW_PATHS = {
  login: "/login",
  signup: "/signup",
  verify_email: "/verify-email",
  password_reset_by_code: "/reset-password",
  mfa_authenticate: "/mfa",
} as const;

export const LOGIN_PATH = FLOW_PATHS.login;

export function pathForFlow(flow: string): string | null {
  return Object.hasOwn(FLOW_PATHS, flow) ? FLOW_PATHS[flow as keyof typeof FLOW_PATHS] : null;
}

/**
 * A pending flow that stands between the person and signing in (a code to confirm their email):
 * the start screens (home, log in, sign up) send them to it. A password reset does not: they
 * may remember their password after all.
 */
export function blockingPath(flow: string | null): string | null {
  return flow === "verify_email" ? pathForFlow(flow) : null;
}

/** Where to go after any sign-in: an invite link opened earlier, or home. */
export function goAfterLogin(): void {
  const to = getState().afterLogin;
  setState({ afterLogin: null });
  navigate(to ?? "/", { replace: true });
}

/**
 * Takes the person where allauth's answer leads: signed in, to where they were going (with
 * `announce` said); a pending flow, to its screen; signed out, to `whenSignedOut` (the login
 * screen by default). Returns false when the answer leads nowhere (the form shows an error).
 */
export async function follow(result: AuthState, opts: { whenSignedOut?: string | null } = {}): Promise<boolean> {
  if (result.kind === "authenticated") {
    await signedIn();
    goAfterLogin();
    return true;
  }
  if (result.kind === "pending") {
    const path = pathForFlow(result.flow);
    setState({ pendingFlow: result.flow });
    if (path) navigate(path);
    return path !== null;
  }
  setState({ pendingFlow: null });
  const to = opts.whenSignedOut === undefined ? LOGIN_PATH : opts.whenSignedOut;
  if (to) navigate(to);
  return to !== null;
}
