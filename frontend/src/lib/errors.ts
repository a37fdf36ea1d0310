/**
 * The one error parser. Our API and allauth's headless API answer errors with the same envelope:
 * `{"status": 409, "errors": [{"code": "...", "message": "...", "param": "field-or-null"}]}`.
 * Anything else (a proxy's HTML page, DRF's default `{"detail": ...}`, a dropped connection) is
 * turned into that same shape here, so screens only ever deal with `ApiErrorItem[]`.
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

function fallback(status: number): ApiErrorItem {
  const known = FALLBACK_MESSAGES[status];
  if (known) return { code: known[0], message: known[1], param: null };
  if (status >= 500) {
    return {
      code: "server_error",
      message: "Something went wrong on our side. Please try again in a moment.",
      param: null,
    };
  }
  return { code: "error", message: "Something went wrong. Please try again.", param: null };
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function asText(v: unknown): string | null {
  if (typeof v === "string" && v.trim()) return v.trim();
  if (Array.isArray(v)) {
    const parts = v.map(asText).filter((p): p is string => p !== null);
    return parts.length ? parts.join(" ") : null;
  }
  return null;
}

function normaliseItem(raw: unknown, status: number): ApiErrorItem | null {
  if (typeof raw === "string") return { code: fallback(status).code, message: raw, param: null };
  if (!isRecord(raw)) return null;
  const message = asText(raw["message"]) ?? asText(raw["detail"]) ?? fallback(status).message;
  const code = typeof raw["code"] === "string" && raw["code"] ? raw["code"] : fallback(status).code;
  const param = typeof raw["param"] === "string" && raw["param"] ? raw["param"] : null;
  return { code, message, param };
}

/**
 * Normalise any error answer into `{status, errors}`.
 * `status` is the HTTP status (0 for a network failure); `body` is the parsed JSON or text.
 */
export function parseErrors(status: number, body: unknown): ParsedError {
  const effective = isRecord(body) && typeof body["status"] === "number" ? body["status"] : status;

  if (isRecord(body) && Array.isArray(body["errors"])) {
    const errors = body["errors"]
      .map((e) => normaliseItem(e, effective))
      .filter((e): e is ApiErrorItem => e !== null);
    return { status: effective, errors: errors.length ? errors : [fallback(effective)] };
  }

  if (isRecord(body)) {
    // DRF's default shapes: {"detail": "..."} or {"field": ["msg", ...], "non_field_errors": [...]}.
    const detail = asText(body["detail"]);
    if (detail) {
      const code = typeof body["code"] === "string" ? body["code"] : fallback(effective).code;
      return { status: effective, errors: [{ code, message: detail, param: null }] };
    }
    const fieldErrors: ApiErrorItem[] = [];
    for (const [key, value] of Object.entries(body)) {
      if (key === "status" || key === "meta" || key === "data") continue;
      const text = asText(value);
      if (!text) continue;
      const param = key === "non_field_errors" || key === "__all__" ? null : key;
      fieldErrors.push({ code: "invalid", message: text, param });
    }
    if (fieldErrors.length) return { status: effective, errors: fieldErrors };
  }

  return { status: effective, errors: [fallback(effective)] };
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
