/** "Who can see this?" in words a child can follow. */

import type { JSX } from "preact";
import { Screen } from "../components/ui";

export default function Privacy(): JSX.Element {
  return (
    <Screen title="Who can see what you write?" testid="screen-privacy" back={{ to: "/", label: "Home" }}>
      <section aria-labelledby="p-parent">
        <h2 id="p-parent">The parent you tell</h2>
        <p>
          When you tell a parent how you feel, <strong>only that parent</strong> sees your feelings, your words and your
          messages. Your other parent does not see them.
        </p>
      </section>
      <section aria-labelledby="p-therapist">
        <h2 id="p-therapist">A counsellor or therapist</h2>
        <p>
          If your family works with a counsellor, they only see what your family said they may see. Sometimes that is just
          how often things get fixed, not what anyone wrote. Your parent can show you which one it is.
        </p>
      </section>
      <section aria-labelledby="p-unsafe">
        <h2 id="p-unsafe">If you feel unsafe</h2>
        <p>
          When you press “I feel unsafe”, FamilyRepair shows you people who can help right away. Your message is looked at
          carefully so that you can get help.
        </p>
      </section>
      <section aria-labelledby="p-private">
        <h2 id="p-private">Private notes</h2>
        <p>When a parent writes a private note while making things right, only that parent can read it.</p>
      </section>
    </Screen>
  );
}
