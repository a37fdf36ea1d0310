/**
 * WebAuthn in JSON: allauth sends the ceremony's options with every binary field as base64url
 * (`{publicKey: {challenge, user: {id}, excludeCredentials: [{id}]...}}`) and takes the credential
 * back the same way (python-fido2's JSON mapping). Browsers that have
 * `PublicKeyCredential.parseCreationOptionsFromJSON` and `credential.toJSON()` do this
 * themselves; the rest go through the small converters here. Pure apart from `createPasskey` and
 * `getPasskey`, which call `navigator.credentials`.
 */

export function fromBase64url(text: string): ArrayBuffer {
  const b64 = text.replace(/-/g, "+").replace(/_/g, "/").padEnd(Math.ceil(text.length / 4) * 4, "=");
  const bin = atob(b64);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out.buffer;
}

export function toBase64url(buf: ArrayBuffer | ArrayBufferView): string {
  const bytes = buf instanceof ArrayBuffer ? new Uint8Array(buf) : new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
  let bin = "";
  for (const b of bytes) bin += String.fromCharCode(b);
  return btoa(bin).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

type Json = Record<string, unknown>;

interface CredentialDescriptorJson {
  id: string;
  type: string;
  transports?: string[];
}

function descriptors(list: unknown): PublicKeyCredentialDescriptor[] | undefined {
  if (!Array.isArray(list)) return undefined;
  return (list as CredentialDescriptorJson[]).map((d) => ({
    ...d,
    type: "public-key",
    id: fromBase64url(d.id),
    transports: d.transports as AuthenticatorTransport[] | undefined,
  }));
}

/** allauth's `creation_options` (`{publicKey: …}` or the inner object) → what `create()` takes. */
export function creationOptions(json: Json): PublicKeyCredentialCreationOptions {
  const pk = (json["publicKey"] ?? json) as Json;
  const user = pk["user"] as Json;
  const out = {
    ...pk,
    challenge: fromBase64url(String(pk["challenge"])),
    user: { ...user, id: fromBase64url(String(user["id"])) },
  } as unknown as PublicKeyCredentialCreationOptions;
  const exclude = descriptors(pk["excludeCredentials"]);
  if (exclude) out.excludeCredentials = exclude;
  return out;
}

/** allauth's `request_options` → what `get()` takes. */
export function requestOptions(json: Json): PublicKeyCredentialRequestOptions {
  const pk = (json["publicKey"] ?? json) as Json;
  const out = { ...pk, challenge: fromBase64url(String(pk["challenge"])) } as unknown as PublicKeyCredentialRequestOptions;
  const allow = descriptors(pk["allowCredentials"]);
  if (allow) out.allowCredentials = allow;
  return out;
}

interface CredentialLike {
  id: string;
  rawId: ArrayBuffer;
  type: string;
  authenticatorAttachment?: string | null;
  response: Record<string, unknown>;
  getClientExtensionResults?: () => unknown;
}

const BINARY_FIELDS = ["clientDataJSON", "attestationObject", "authenticatorData", "signature", "userHandle"];

/** A credential from `create()` or `get()` as the JSON allauth reads. */
export function credentialJson(cred: CredentialLike): Json {
  const response: Json = {};
  for (const field of BINARY_FIELDS) {
    const v = cred.response[field];
    if (v instanceof ArrayBuffer || ArrayBuffer.isView(v)) response[field] = toBase64url(v);
  }
  const transports = cred.response["getTransports"];
  if (typeof transports === "function") {
    response["transports"] = (transports as () => string[]).call(cred.response);
  }
  return {
    id: cred.id,
    rawId: toBase64url(cred.rawId),
    type: cred.type,
    authenticatorAttachment: cred.authenticatorAttachment ?? null,
    response,
    clientExtensionResults: cred.getClientExtensionResults?.() ?? {},
  };
}

export function passkeysSupported(): boolean {
  return typeof window !== "undefined" && "PublicKeyCredential" in window && Boolean(navigator.credentials);
}

/** Runs the browser's "create a passkey" ceremony; null when the person cancels. */
export async function createPasskey(options: Json): Promise<Json | null> {
  const cred = (await navigator.credentials.create({ publicKey: creationOptions(options) })) as unknown as CredentialLike | null;
  return cred ? credentialJson(cred) : null;
}

/** Runs the browser's "use a passkey" ceremony; null when the person cancels. */
export async function getPasskey(options: Json): Promise<Json | null> {
  const cred = (await navigator.credentials.get({ publicKey: requestOptions(options) })) as unknown as CredentialLike | null;
  return cred ? credentialJson(cred) : null;
}
