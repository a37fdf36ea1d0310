/**
 * "Would you like {parent} to see this now?": asked of the child once, after a safety review found
 * no safety concern (the server's `release_question`). Yes shares the flag as an ordinary one
 * (`release`); "Not now" keeps it held (`keep_held`) and the question is not asked again, though
 * sharing it later stays the child's (`release` still in `allowed_actions`).
 */

import type { JSX } from "preact";
import { FormErrors, useSubmit } from "./ui";
import { api } from "../lib/api";
import { can } from "../lib/model";
import { announce } from "../lib/store";
import type { Rupture } from "../lib/types";

export function ReleaseQuestion(props: { rupture: Rupture; onChange: (r: Rupture) => void }): JSX.Element | null {
  const r = props.rupture;
  const act = useSubmit([]);
  const run = (fn: () => Promise<Rupture>, message: string): Promise<void> =>
    act.run(async () => {
      props.onChange(await fn());
      announce(message);
    });
  const parent = r.parent.display_name;
  if (r.release_question && can(r, "release") && can(r, "keep_held")) {
    return (
      <section class="card" aria-labelledby="release-title" data-testid="release-question">
        <h2 id="release-title">{r.release_question}</h2>
        <p>The people who help looked at what you told us. You decide whether {parent} sees it. Both answers are OK.</p>
        <FormErrors messages={act.general} />
        <div class="row">
          <button type="button" class="button primary" disabled={act.busy} onClick={() => void run(() => api.release(r.id), `${parent} can see it now.`)} data-testid="release-yes">
            Yes, {parent} can see it
          </button>
          <button type="button" class="button" disabled={act.busy} onClick={() => void run(() => api.keepHeld(r.id), "It stays private. We won't ask again.")} data-testid="release-no">
            Not now
          </button>
        </div>
      </section>
    );
  }
  if (can(r, "release")) {
    return (
      <section class="card" aria-labelledby="release-later-title" data-testid="release-later">
        <h2 id="release-later-title">It stays private</h2>
        <p>We won't ask you again. If you change your mind, you can let {parent} see it.</p>
        <FormErrors messages={act.general} />
        <button type="button" class="button" disabled={act.busy} onClick={() => void run(() => api.release(r.id), `${parent} can see it now.`)} data-testid="release-later-yes">
          Let {parent} see it
        </button>
      </section>
    );
  }
  return null;
}
