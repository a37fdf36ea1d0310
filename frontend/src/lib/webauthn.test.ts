import { describe, expect, it } from "vitest";
import { creationOptions, credentialJson, fromBase64url, requestOptions, toBase64url } from "./webauthn";

const bytes = (buf: ArrayBuffer): number[] => [...new Uint8Array(buf)];

describe("base64url", () => {
  it("round-trips bytes that need - and _ and no padding", () => {
    const raw = new Uint8Array([251, 255, 191, 0, 1]).buffer;
    const text = toBase64url(raw);
    expect(text).toBe("-_-_AAE");
    expect(bytes(fromBase64url(text))).toEqual([251, 255, 191, 0, 1]);
  });
});

describe("allauth's options", () => {
  it("turns the creation options' challenge, user id and excluded ids into bytes", () => {
    const opts = creationOptions({
      publicKey: {
        rp: { id: "localhost", name: "FamilyRepair" },
        user: { id: "AQI", name: "t@example.com", displayName: "T" },
        challenge: "AwQ",
        pubKeyCredParams: [{ type: "public-key", alg: -7 }],
        excludeCredentials: [{ type: "public-key", id: "BQY" }],
      },
    });
    expect(bytes(opts.challenge as ArrayBuffer)).toEqual([3, 4]);
    expect(bytes(opts.user.id as ArrayBuffer)).toEqual([1, 2]);
    expect(bytes(opts.excludeCredentials?.[0]?.id as ArrayBuffer)).toEqual([5, 6]);
    expect(opts.rp.name).toBe("FamilyRepair");
  });

  it("turns the request options' allowed ids into bytes", () => {
    const opts = requestOptions({ publicKey: { challenge: "AwQ", allowCredentials: [{ type: "public-key", id: "BQY" }] } });
    expect(bytes(opts.allowCredentials?.[0]?.id as ArrayBuffer)).toEqual([5, 6]);
  });

  it("writes a credential back as base64url JSON", () => {
    const json = credentialJson({
      id: "BQY",
      rawId: new Uint8Array([5, 6]).buffer,
      type: "public-key",
      response: { clientDataJSON: new Uint8Array([1]).buffer, attestationObject: new Uint8Array([2]).buffer, getTransports: () => ["internal"] },
      getClientExtensionResults: () => ({ credProps: { rk: true } }),
    });
    expect(json).toEqual({
      id: "BQY",
      rawId: "BQY",
      type: "public-key",
      authenticatorAttachment: null,
      response: { clientDataJSON: "AQ", attestationObject: "Ag", transports: ["internal"] },
      clientExtensionResults: { credProps: { rk: true } },
    });
  });
});
