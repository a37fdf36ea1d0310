/**
 * "Would you like {parent} to see this now?": asked of the child once, after a safety review found
 * no safety concern (the server's `release_question`). Yes shares the flag as an ordinary one
 * (`release`); "Not now" keeps it held (`keep_held`) and the question is not asked again, though
 * sharing it later stays the child's (`release` still in `allowed_actions`).
 */

import type { JSX } from "preact";
import { FormErrors, useSubmit } from "./ui";
import { api } from "../lib/api";
import { t } from "../lib/i18n";
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
        <p>{t("release.body", { parent })}</p>
        <FormErrors messages={act.general} />
        <div class="row">
          <button type="button" class="button primary" disabled={act.busy} onClick={() => void run(() => api.release(r.id), t("release.yesDone", { parent }))} data-testid="release-yes">
            {t("release.yes", { parent })}
          </button>
          <button type="button" class="button" disabled={act.busy} onClick={() => void run(() => api.keepHeld(r.id), t("release.noDone"))} data-testid="release-no">
            {t("release.no")}
          </button>
        </div>
      </section>
    );
  }
  if (can(r, "release")) {
    return (
      <section class="card" aria-labelledby="release-later-title" data-testid="release-later">
        <h2 id="release-later-title">{t("release.laterTitle")}</h2>
        <p>{t("release.laterBody", { parent })}</p>
        <FormErrors messages={act.general} />
        <button type="button" class="button" disabled={act.busy} onClick={() => void run(() => api.release(r.id), t("release.yesDone", { parent }))} data-testid="release-later-yes">
          {t("release.laterYes", { parent })}
        </button>
      </section>
    );
  }
  return null;
}
