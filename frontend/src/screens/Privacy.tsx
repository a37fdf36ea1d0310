/** "Who can see this?" in words a child can follow. */

import type { JSX } from "preact";
import { Screen } from "../components/ui";
import { t } from "../lib/i18n";

export default function Privacy(): JSX.Element {
  return (
    <Screen title={t("privacy.title")} testid="screen-privacy" back={{ to: "/", label: t("common.home") }}>
      <section aria-labelledby="p-parent">
        <h2 id="p-parent">{t("privacy.parentTitle")}</h2>
        <p>
          {t("privacy.parentBefore")}
          <strong>{t("privacy.parentStrong")}</strong>
          {t("privacy.parentAfter")}
        </p>
      </section>
      <section aria-labelledby="p-therapist">
        <h2 id="p-therapist">{t("privacy.therapistTitle")}</h2>
        <p>{t("privacy.therapistBody")}</p>
      </section>
      <section aria-labelledby="p-unsafe">
        <h2 id="p-unsafe">{t("privacy.unsafeTitle")}</h2>
        <p>{t("privacy.unsafeBody")}</p>
      </section>
      <section aria-labelledby="p-private">
        <h2 id="p-private">{t("privacy.notesTitle")}</h2>
        <p>{t("privacy.notesBody")}</p>
      </section>
    </Screen>
  );
}
