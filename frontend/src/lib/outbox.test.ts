import "fake-indexeddb/auto";
import { createStore } from "idb-keyval";
import { beforeEach, describe, expect, it } from "vitest";
import { classify, createOutbox, type OutboxItem, type SendResult, type Sender } from "./outbox";

let n = 0;
function freshOutbox(): ReturnType<typeof createOutbox> {
  n += 1;
  let t = 1000;
  return createOutbox(createStore(`test-outbox-${n}`, "items"), () => (t += 1));
}

function item(key: string, extra: Partial<OutboxItem> = {}): Omit<OutboxItem, "createdAt" | "attempts" | "method"> {
  return { key, owner: "7", kind: "flag", url: "/api/v1/ruptures/", body: { family: 1 }, ...extra };
}

/** A fake server that stores one rupture per Idempotency-Key, as the real one must. */
function fakeServer(script: (SendResult | "throw")[] = []): { send: Sender; calls: string[]; created: Map<string, number> } {
  const calls: string[] = [];
  const created = new Map<string, number>();
  const send: Sender = async (it) => {
    calls.push(it.key);
    const next = script.shift();
    if (next === "throw") throw new TypeError("Failed to fetch");
    if (next) return next;
    if (!created.has(it.key)) created.set(it.key, created.size + 1);
    return { status: 201, body: { id: created.get(it.key) } };
  };
  return { send, calls, created };
}

describe("classify", () => {
  it.each([
    [201, null, "sent"],
    [200, null, "sent"],
    [0, null, "retry"],
    [429, null, "retry"],
    [503, "<html>", "retry"],
    [401, { status: 401 }, "auth"],
    [403, "<h1>CSRF verification failed</h1>", "auth"],
    [403, { status: 403, errors: [{ code: "permission_denied", message: "No." }] }, "failed"],
    [400, { status: 400, errors: [{ code: "invalid", message: "Bad.", param: "feelings" }] }, "failed"],
    [409, { status: 409, errors: [{ code: "idempotency_request_in_flight", message: "Wait.", param: "Idempotency-Key" }] }, "retry"],
    [422, { status: 422, errors: [{ code: "idempotency_key_reused", message: "Other body.", param: "Idempotency-Key" }] }, "failed"],
    [409, { status: 409, errors: [{ code: "rupture_not_open", message: "Closed." }] }, "failed"],
  ] as const)("status %i is %s", (status, body, outcome) => {
    expect(classify({ status, body })).toBe(outcome);
  });
});

describe("outbox", () => {
  let box: ReturnType<typeof createOutbox>;
  beforeEach(() => {
    box = freshOutbox();
  });

  it("stores items in order and sends them, then forgets them", async () => {
    await box.add(item("a"));
    await box.add(item("b", { kind: "message" }));
    expect((await box.list()).map((i) => i.key)).toEqual(["a", "b"]);
    const server = fakeServer();
    const report = await box.flush(server.send, "7");
    expect(server.calls).toEqual(["a", "b"]);
    expect(report.sent.map((s) => s.item.key)).toEqual(["a", "b"]);
    expect(report.sent[0]?.body).toEqual({ id: 1 });
    expect(report.remaining).toBe(0);
    expect(await box.list()).toEqual([]);
  });

  it("keeps everything when offline and replays with the same key later, creating once", async () => {
    await box.add(item("k1"));
    const server = fakeServer(["throw"]);
    const first = await box.flush(server.send, "7");
    expect(first.stoppedBy).toBe("retry");
    expect(first.remaining).toBe(1);
    const [stored] = await box.list();
    expect(stored?.attempts).toBe(1);

    // The request reached the server but the answer was lost: the replay reuses the key.
    const lost = fakeServer();
    await lost.send({ ...(stored as OutboxItem) });
    const again = await box.flush(lost.send, "7");
    expect(again.sent).toHaveLength(1);
    expect(lost.calls).toEqual(["k1", "k1"]);
    expect(lost.created.size).toBe(1);
  });

  it("stops at the first retryable failure so later items keep their order", async () => {
    await box.add(item("a"));
    await box.add(item("b"));
    const server = fakeServer([{ status: 503, body: null }]);
    const report = await box.flush(server.send, "7");
    expect(server.calls).toEqual(["a"]);
    expect(report.remaining).toBe(2);
  });

  it("marks refused items as failed, skips them afterwards, and carries on", async () => {
    await box.add(item("bad"));
    await box.add(item("good"));
    const server = fakeServer([{ status: 400, body: { status: 400, errors: [{ code: "invalid", message: "Pick a feeling.", param: "feelings" }] } }]);
    const report = await box.flush(server.send, "7");
    expect(report.failed.map((f) => f.key)).toEqual(["bad"]);
    expect(report.failed[0]?.failed?.errors[0]?.message).toBe("Pick a feeling.");
    expect(report.sent.map((s) => s.item.key)).toEqual(["good"]);
    const again = fakeServer();
    await box.flush(again.send, "7");
    expect(again.calls).toEqual([]);
    expect((await box.list()).map((i) => i.key)).toEqual(["bad"]);
    await box.remove("bad");
    expect(await box.list()).toEqual([]);
  });

  it("only replays the signed-in person's items", async () => {
    await box.add(item("mine"));
    await box.add(item("theirs", { owner: "8" }));
    const server = fakeServer();
    await box.flush(server.send, "7");
    expect(server.calls).toEqual(["mine"]);
    const nobody = fakeServer();
    const report = await box.flush(nobody.send, null);
    expect(nobody.calls).toEqual([]);
    expect(report.stoppedBy).toBe("auth");
  });

  it("runs one replay at a time within a context", async () => {
    await box.add(item("once"));
    const server = fakeServer();
    const [a, b] = await Promise.all([box.flush(server.send, "7"), box.flush(server.send, "7")]);
    expect(server.calls).toEqual(["once"]);
    expect(a).toBe(b);
  });

  it("a waiting flush runs after the replay in progress and sends what was added meanwhile", async () => {
    await box.add(item("first"));
    let entered: () => void = () => undefined;
    const sending = new Promise<void>((resolve) => (entered = resolve));
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const calls: string[] = [];
    const slow: Sender = async (it) => {
      calls.push(it.key);
      if (it.key === "first") {
        entered();
        await gate;
      }
      return { status: 201, body: { key: it.key } };
    };
    const replay = box.flush(slow, "7");
    await sending; // the replay has taken its list and is sending "first"
    await box.add(item("mine"));
    const order: string[] = [];
    const waiting = box.flush(slow, "7", {
      wait: true,
      beforeSend: async () => {
        order.push(`before, after ${calls.join(",")}`);
      },
    });
    release();
    const [first, mine] = await Promise.all([replay, waiting]);
    expect(first.sent.map((s) => s.item.key)).toEqual(["first"]);
    expect(mine.sent.map((s) => s.item.key)).toEqual(["mine"]);
    expect(mine.sent[0]?.body).toEqual({ key: "mine" });
    expect(mine.stoppedBy).toBe("done");
    expect(order).toEqual(["before, after first"]);
    expect(calls).toEqual(["first", "mine"]);
    expect(await box.get("mine")).toBeUndefined();
  });

  it("tells subscribers when something changes", async () => {
    let calls = 0;
    const off = box.subscribe(() => (calls += 1));
    await box.add(item("x"));
    await box.flush(fakeServer().send, "7");
    off();
    await box.add(item("y"));
    expect(calls).toBe(2);
    await box.clear();
    expect(await box.list()).toEqual([]);
  });
});
