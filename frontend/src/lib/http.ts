/**
 * Same-origin JSON over fetch with Django's CSRF protection: every unsafe request carries the
 * `csrftoken` cookie as `X-CSRFToken` (read fresh each time, because logging in rotates it).
 * Every non-2xx answer is thrown as an ApiError built by the one parser in errors.ts.
 */

import { ApiError, parseErrors } from "./errors";

const UNSAFE = new Set(["POST", "PUT", "PATCH", "DELETE"]);

export type Method = "GET" | "POST" | "PUT" | "PATCH" | "DELETE";

export interface RequestOptions {
  body?: unknown;
  idempotencyKey?: string;
  headers?: Record<string, string>;
  signal?: AbortSignal;
}

export interface RawResponse {
  status: number;
  body: unknown;
}

export function readCookie(cookieString: string, name: string): string | null {
  for (const part of cookieString.split(";")) {
    const [k, ...rest] = part.trim().split("=");
    if (k === name) return decodeURIComponent(rest.join("="));
  }
  return null;
}

export function csrfToken(): string | null {
  return typeof document === "undefined" ? null : readCookie(document.cookie, "csrftoken");
}

type CsrfListener = (token: string) => void;
let csrfListener: CsrfListener | null = null;
let lastCsrf: string | null = null;

/** The outbox stores the latest token so the service worker can replay while no page is open. */
export function onCsrfToken(listener: CsrfListener): void {
  csrfListener = listener;
}

let acceptLanguage: string | null = null;

/** The person's language (set by lib/i18n): the server answers errors and words in it. */
export function setAcceptLanguage(tag: string | null): void {
  acceptLanguage = tag;
}

export function currentAcceptLanguage(): string | null {
  return acceptLanguage;
}

export function buildHeaders(method: Method, opts: RequestOptions, csrf: string | null): Headers {
  const headers = new Headers({ Accept: "application/json", ...opts.headers });
  if (acceptLanguage && !headers.has("Accept-Language")) headers.set("Accept-Language", acceptLanguage);
  if (opts.body !== undefined) headers.set("Content-Type", "application/json");
  if (UNSAFE.has(method) && csrf) headers.set("X-CSRFToken", csrf);
  if (opts.idempotencyKey) headers.set("Idempotency-Key", opts.idempotencyKey);
  return headers;
}

export async function readBody(resp: Response): Promise<unknown> {
  if (resp.status === 204) return null;
  const type = resp.headers.get("Content-Type") ?? "";
  const text = await resp.text();
  if (!text) return null;
  if (type.includes("json")) {
    try {
      return JSON.parse(text) as unknown;
    } catch {
      return text;
    }
  }
  return text;
}

/** Never throws for HTTP statuses; throws ApiError(status 0) when the network fails. */
export async function rawRequest(
  method: Method,
  url: string,
  opts: RequestOptions = {},
): Promise<RawResponse> {
  const csrf = csrfToken();
  if (csrf && csrf !== lastCsrf) {
    lastCsrf = csrf;
    csrfListener?.(csrf);
  }
  let resp: Response;
  try {
    resp = await fetch(url, {
      method,
      headers: buildHeaders(method, opts, csrf),
      body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
      credentials: "same-origin",
      signal: opts.signal,
    });
  } catch (err) {
    if (err instanceof DOMException && err.name === "AbortError") throw err;
    throw new ApiError(parseErrors(0, null));
  }
  const body = await readBody(resp);
  const after = csrfToken();
  if (after && after !== lastCsrf) {
    lastCsrf = after;
    csrfListener?.(after);
  }
  return { status: resp.status, body };
}

type UnauthorizedHandler = () => void;
let onUnauthorized: UnauthorizedHandler | null = null;

/** Called when /api/v1/ answers 401: the session ended elsewhere. */
export function setUnauthorizedHandler(handler: UnauthorizedHandler): void {
  onUnauthorized = handler;
}

/** For our API: resolves with the JSON body on 2xx, throws ApiError otherwise. */
export async function request<T>(method: Method, url: string, opts: RequestOptions = {}): Promise<T> {
  const { status, body } = await rawRequest(method, url, opts);
  if (status >= 200 && status < 300) return body as T;
  if (status === 401) onUnauthorized?.();
  throw new ApiError(parseErrors(status, body), body);
}
