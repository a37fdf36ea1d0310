import { afterEach, describe, expect, it, vi } from "vitest";
import { login, maybeSignedIn } from "./auth";

/** A stand-in server: each call answers the next [status, body] and records the request. */
function serve(...answers: [number, unknown][]): { calls: string[] } {
  const calls: string[] = [];
  vi.stubGlobal(
    "fetch",
    vi.fn(async (url: string, init: RequestInit) => {
      calls.push(`${init.method ?? "GET"} ${url}`);
      const [status, body] = answers.shift() ?? [500, null];
      return new Response(JSON.stringify(body), { status, headers: { "Content-Type": "application/json" } });
    }),
  );
  return { calls };
}

const AUTHENTICATED = { status: 200, data: { user: { id: 7 } }, meta: { is_authenticated: true } };

afterEach(() => {
  vi.unstubAllGlobals();
});

describe("whether to ask for a session at start", () => {
  it("asks only a browser that has a cookie from us", () => {
    vi.stubGlobal("document", { cookie: "" });
    expect(maybeSignedIn()).toBe(false);
    vi.stubGlobal("document", { cookie: "theme=dark; csrftoken=abc" });
    expect(maybeSignedIn()).toBe(true);
  });
});

describe("login", () => {
  it("gets a CSRF cookie first, and treats 'already signed in' (409) as signed in", async () => {
    vi.stubGlobal("document", { cookie: "" });
    const server = serve([200, { status: 200, data: {} }], [409, { status: 409 }], [200, AUTHENTICATED]);
    const state = await login("ada@example.com", "a calm long passphrase");
    expect(state).toEqual({ kind: "authenticated", user: { id: 7 } });
    expect(server.calls).toEqual([
      "GET /_allauth/browser/v1/config",
      "POST /_allauth/browser/v1/auth/login",
      "GET /_allauth/browser/v1/auth/session",
    ]);
  });
});
