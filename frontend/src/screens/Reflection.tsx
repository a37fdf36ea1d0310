/**
 * The evening reflection, opened from its notice: one tap starts "I want to make this right" for
 * a child (marked as started from the reflection), one tap dismisses; after three dismissals in a
 * row the server asks whether to pause (`ask_pause`).
 */

import type { JSX } from "preact";
import { useEffect, useMemo, useState } from "preact/hooks";
import { FormErrors, Loading, Screen } from "../components/ui";
import { api } from "../lib/api";
import { errorsOf } from "../lib/errors";
import { childrenOf, primaryFamily } from "../lib/model";
import { navigate } from "../lib/router";
import { announce, loadMembers, useAppState } from "../lib/store";
import type { Reflection } from "../lib/types";
import { uuid } from "../lib/uuid";
import { t } from "../lib/i18n";

export default function ReflectionScreen(): JSX.Element {
  const s = useAppState();
  const family = primaryFamily(s.me);
  const familyId = family ? String(family.id) : null;
  const members = familyId ? s.members[familyId] : undefined;
  const kids = useMemo(() => childrenOf(members ?? [], s.me?.id), [members, s.me?.id]);
  const [answer, setAnswer] = useState<Reflection | null>(null);
  const [errors, setErrors] = useState<string[]>([]);
  const [busy, setBusy] = useState(false);
  useEffect(() => {
    if (familyId && !members) void loadMembers(familyId).catch(() => undefined);
  }, [familyId]);

  const act = async (fn: () => Promise<void>): Promise<void> => {
    if (busy) return;
    setBusy(true);
    setErrors([]);
    try {
      await fn();
    } catch (err) {
      setErrors(errorsOf(err).map((e) => e.message));
    } finally {
      setBusy(false);
    }
  };
  const dismiss = (): Promise<void> =>
    act(async () => {
      const r = await api.dismissReflection(uuid());
      setAnswer(r);
      if (!r.ask_pause) {
        announce(t("reflection.notTodaySaid"));
        navigate("/", { replace: true });
      }
    });
  const pause = (): Promise<void> =>
    act(async () => {
      await api.setReflection({ enabled: false });
      announce(t("reflection.paused"));
      navigate("/", { replace: true });
    });

  if (answer?.ask_pause) {
    return (
      <Screen title={t("reflection.pauseTitle")} testid="screen-reflection" back={{ to: "/", label: t("common.home") }}>
        <FormErrors messages={errors} />
        <p>{t("reflection.pauseBody")}</p>
        <div class="stack">
          <button type="button" class="button primary" disabled={busy} onClick={() => void pause()} data-testid="reflection-pause">
            {t("reflection.pause")}
          </button>
          <button type="button" class="button quiet" onClick={() => navigate("/", { replace: true })} data-testid="reflection-keep">
            {t("reflection.keep")}
          </button>
        </div>
      </Screen>
    );
  }
  return (
    <Screen title={t("reflection.screenTitle")} testid="screen-reflection" back={{ to: "/", label: t("common.home") }} lead={t("reflection.question")}>
      <FormErrors messages={errors} />
      {!members && familyId ? <Loading /> : null}
      <div class="stack">
        {kids.map((k) => (
          <button
            type="button"
            key={String(k.id)}
            class="button primary big"
            data-testid={`reflection-child-${String(k.id)}`}
            onClick={() => navigate(`/make-right?family=${familyId ?? ""}&child=${String(k.id)}&from=reflection`)}
          >
            {t("reflection.yesWith", { name: k.display_name })}
          </button>
        ))}
        <button type="button" class="button quiet" disabled={busy} onClick={() => void dismiss()} data-testid="reflection-dismiss">
          {t("reflection.notToday")}
        </button>
      </div>
    </Screen>
  );
}
