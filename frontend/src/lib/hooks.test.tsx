// @vitest-environment happy-dom
// The shell's two subscriptions (app state, location) subscribe in effects, which run after
// paint: a change made before then must still reach the screen.
import "fake-indexeddb/auto";
import type { JSX } from "preact";
import { render } from "preact";
import { describe, expect, it } from "vitest";
import { navigate, useLocation } from "./router";
import { setState, useAppState } from "./store";

function ShowsAuth(): JSX.Element {
  return <p>{useAppState().auth}</p>;
}

function ShowsPath(): JSX.Element {
  return <p>{useLocation().path}</p>;
}

const effectsAndARender = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 300));

function mount(screen: JSX.Element): HTMLElement {
  const root = document.createElement("div");
  document.body.append(root);
  render(screen, root);
  return root;
}

describe("the shell's subscriptions", () => {
  it("show a state change made after the first render and before its effects ran", async () => {
    const root = mount(<ShowsAuth />);
    expect(root.textContent).toBe("loading");
    // As boot does at once for an offline start: nothing is subscribed yet.
    setState({ auth: "anonymous" });
    await effectsAndARender();
    expect(root.textContent).toBe("anonymous");
  });

  it("show a navigation made after the first render and before its effects ran", async () => {
    const root = mount(<ShowsPath />);
    expect(root.textContent).toBe("/");
    navigate("/safety", { replace: true }); // its hashchange event finds no listener yet
    await effectsAndARender();
    expect(root.textContent).toBe("/safety");
  });
});
