/**
 * The one error parser. Our API (the schema's `ErrorEnvelope`) and allauth's headless API answer
 * errors with the same envelope: `{"status": 409, "errors": [{"code", "message", "param"}]}`
 * (allauth may leave `param` out). Anything that is not the envelope (a proxy's HTML page, an
 * empty body, a dropped connection) becomes a message for its status, so screens only ever deal
 * with `ApiErrorItem[]`.
 *
 * Pure: no DOM, no fetch. Shared by the page and the service worker.
 */

export interface ApiErrorItem {
  code: string;
  message: string;
  param: string | null;
}

export interface ParsedError {
  status: number;
  errors: ApiErrorItem[];
}

/** Thrown by the HTTP layer for every non-2xx answer and for network failures (status 0). */
export class ApiError extends Error {
  readonly status: number;
  readonly errors: ApiErrorItem[];
  readonly body: unknown;

  constructor(parsed: ParsedError, body?: unknown) {
    super(parsed.errors[0]?.message ?? `HTTP ${parsed.status}`);
    this.name = "ApiError";
    this.status = parsed.status;
    this.errors = parsed.errors;
    this.body = body;
  }

  get isNetwork(): boolean {
    return this.status === 0;
  }

  hasCode(code: string): boolean {
    return this.errors.some((e) => e.code === code);
  }
}

const FALLBACK_MESSAGES: Record<number, [code: string, message: string]> = {
  0: ["network", "You seem to be offline. Please try again when you are connected."],
  400: ["invalid", "Something in the form needs another look."],
  401: ["not_authenticated", "Please log in again."],
  403: ["permission_denied", "You are not allowed to do that."],
  404: ["not_found", "We could not find that. It may have been removed."],
  409: ["conflict", "That cannot be done right now."],
  410: ["gone", "Your session has ended. Please log in again."],
  413: ["too_large", "That is too long to send."],
  429: ["throttled", "Too many tries in a short time. Please wait a little and try again."],
};

/**
 * Our words for an answer with no envelope in the person's language (the server's own messages
 * already are): lib/i18n sets it on the page; the service worker keeps the English.
 */
let fallbackWords: (code: string, english: string) => string = (_code, english) => english;

export function setFallbackWords(words: (code: string, english: string) => string): void {
  fallbackWords = words;
}

function item(code: string, english: string): ApiErrorItem {
  return { code, message: fallbackWords(code, english), param: null };
}

function fallback(status: number): ApiErrorItem {
  const known = FALLBACK_MESSAGES[status];
  if (known) return item(known[0], known[1]);
  if (status >= 500) return item("server_error", "Something went wrong on our side. Please try again in a moment.");
  return item("error", "Something went wrong. Please try again.");
}

interface Envelope {
  status: number;
  errors: { code: string; message: string; param?: string | null }[];
}

function isEnvelope(body: unknown): body is Envelope {
  if (typeof body !== "object" || body === null) return false;
  const b = body as Partial<Envelope>;
  return typeof b.status === "number" && Array.isArray(b.errors) && b.errors.length > 0;
}

/**
 * Any error answer as `{status, errors}`: `status` is the HTTP status (0 for a network
 * failure); `body` is the parsed JSON or text.
 */
export function parseErrors(status: number, body: unknown): ParsedError {
  if (!isEnvelope(body)) return { status, errors: [fallback(status)] };
  return {
    status: body.status,
    errors: body.errors.map((e) => ({ code: e.code, message: e.message, param: e.param ?? null })),
  };
}

/** Errors that name a field the form shows go next to it; the rest go in the form's summary. */
export function splitErrors(
  errors: readonly ApiErrorItem[],
  fields: readonly string[],
): { byField: Record<string, string[]>; general: string[] } {
  const byField: Record<string, string[]> = {};
  const general: string[] = [];
  for (const e of errors) {
    if (e.param && fields.includes(e.param)) {
      (byField[e.param] ??= []).push(e.message);
    } else {
      general.push(e.message);
    }
  }
  return { byField, general };
}

/** Turn anything thrown into an ApiErrorItem list (programming errors become a generic message). */
export function errorsOf(thrown: unknown): ApiErrorItem[] {
  if (thrown instanceof ApiError) return thrown.errors;
  if (thrown instanceof TypeError) return [fallback(0)];
  return [fallback(500)];
}
