import { describe, expect, it } from "vitest";
import { qrPath } from "../components/QrCode";
import { normaliseHelp } from "./help";
import { readCookie, buildHeaders } from "./http";
import { needsIosInstallHint, isIosSafari } from "./platform";
import { match, parseHash } from "./router";
import { NOTES_URL, quickExit } from "./quickExit";
import { uuid } from "./uuid";

describe("help resources", () => {
  it("reads the server's shape: emergency words, then text and chat lines before calls", () => {
    const help = normaliseHelp({
      region: "United Kingdom",
      emergency: "If you are in danger right now, call 999.",
      lines: [
        { kind: "call", name: "Childline", how: "Call 0800 1111 (free)", value: "08001111" },
        { kind: "chat", name: "Childline", how: "1-2-1 chat at childline.org.uk", value: "childline.org.uk" },
        { kind: "text", name: "Shout", how: "Text SHOUT to 85258", value: "85258" },
      ],
    });
    expect(help.emergency).toBe("If you are in danger right now, call 999.");
    expect(help.links.map((l) => [l.kind, l.href, l.how])).toEqual([
      ["text", "sms:85258", "Text SHOUT to 85258"],
      ["chat", "https://childline.org.uk/", "1-2-1 chat at childline.org.uk"],
      ["call", "tel:08001111", "Call 0800 1111 (free)"],
    ]);
  });

  it("never links anything but sms, tel or http(s)", () => {
    const links = normaliseHelp({
      region: "",
      emergency: "",
      lines: [
        { kind: "chat", name: "Chat", how: "Chat", value: "javascript:alert(1)" },
        { kind: "call", name: "Phone line", how: "Call", value: "0800 1111" },
      ],
    }).links;
    expect(links.map((l) => l.href)).toEqual([null, "tel:08001111"]);
    expect(normaliseHelp(null)).toEqual({ emergency: null, links: [] });
  });
});

describe("http helpers", () => {
  it("reads the CSRF cookie and sends it only on unsafe requests", () => {
    expect(readCookie("a=1; csrftoken=abc%3D; b=2", "csrftoken")).toBe("abc=");
    expect(readCookie("a=1", "csrftoken")).toBeNull();
    const post = buildHeaders("POST", { body: {}, idempotencyKey: "k" }, "tok");
    expect(post.get("X-CSRFToken")).toBe("tok");
    expect(post.get("Idempotency-Key")).toBe("k");
    expect(post.get("Content-Type")).toBe("application/json");
    expect(buildHeaders("GET", {}, "tok").get("X-CSRFToken")).toBeNull();
  });
});

describe("router", () => {
  const routes = [
    ["home", "/"],
    ["rupture", "/ruptures/:id"],
    ["repairSteps", "/ruptures/:id/repair-steps/:step"],
    ["pair", "/pair/:code"],
  ] as const;
  it("matches hash paths with params and query", () => {
    expect(match(routes, parseHash(""))?.name).toBe("home");
    expect(match(routes, parseHash("#/"))?.name).toBe("home");
    expect(match(routes, parseHash("#/ruptures/12/"))?.params).toEqual({ id: "12" });
    expect(match(routes, parseHash("#/ruptures/12/repair-steps/3"))?.params).toEqual({ id: "12", step: "3" });
    expect(match(routes, parseHash("#/pair/AB%2012"))?.params).toEqual({ code: "AB 12" });
    expect(match(routes, parseHash("#/flag?parent=3"))).toBeNull();
    expect(parseHash("#/flag?parent=3&family=1").query.get("parent")).toBe("3");
  });
});

describe("iOS install hint", () => {
  const iphoneSafari =
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1";
  const iphoneChrome =
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) CriOS/126.0 Mobile/15E148 Safari/604.1";
  it("shows in iOS Safari outside the home screen only", () => {
    expect(needsIosInstallHint({ userAgent: iphoneSafari }, false)).toBe(true);
    expect(needsIosInstallHint({ userAgent: iphoneSafari, standalone: true }, false)).toBe(false);
    expect(needsIosInstallHint({ userAgent: iphoneSafari }, true)).toBe(false);
    expect(needsIosInstallHint({ userAgent: "Mozilla/5.0 (Linux; Android 14) Chrome/126" }, false)).toBe(false);
    expect(needsIosInstallHint({ userAgent: "Mozilla/5.0 (Macintosh)", platform: "MacIntel", maxTouchPoints: 5 }, false)).toBe(true);
    expect(isIosSafari({ userAgent: iphoneSafari })).toBe(true);
    expect(isIosSafari({ userAgent: iphoneChrome })).toBe(false);
  });
});

describe("quick exit", () => {
  it("replaces history and location with the blank notes page", () => {
    const calls: string[] = [];
    quickExit({ replace: (u: string | URL) => void calls.push(`replace ${String(u)}`) }, {
      replaceState: (_d: unknown, _t: string, u?: string | URL | null) => void calls.push(`state ${String(u)}`),
    });
    expect(calls).toEqual(["state undefined", `replace ${NOTES_URL}`]);
  });
});

describe("small helpers", () => {
  it("makes v4 UUIDs", () => {
    expect(uuid()).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(uuid()).not.toBe(uuid());
  });
  it("draws QR modules as one path", () => {
    expect(qrPath([[true, false], [false, true]])).toBe("M0 0h1v1h-1zM1 1h1v1h-1z");
  });
});
