/** Accept an invite (`#/invite/{code}` from the link a parent shared, or a typed code). */

import type { JSX } from "preact";
import { useState } from "preact/hooks";
import { Field, FormErrors, Screen, onSubmit, useSubmit } from "../components/ui";
import { api } from "../lib/api";
import { href, navigate } from "../lib/router";
import { announce, refreshMe, setState, useAppState, loadMembers } from "../lib/store";
import { t } from "../lib/i18n";

export default function Invite(props: { code: string }): JSX.Element {
  const s = useAppState();
  const [code, setCode] = useState(props.code);
  const form = useSubmit(["code"]);

  if (s.auth !== "authenticated") {
    const here = props.code ? `/invite/${encodeURIComponent(props.code)}` : "/invite";
    return (
      <Screen title={t("invite.invitedTitle")} testid="screen-invite" lead={t("invite.invitedLead")}>
        <div class="stack">
          <a class="button primary big" href={href("/signup")} data-testid="invite-signup" onClick={() => setState({ afterLogin: here })}>
            {t("invite.createAccount")}
          </a>
          <a class="button big" href={href("/login")} data-testid="invite-login" onClick={() => setState({ afterLogin: here })}>
            {t("invite.haveAccount")}
          </a>
        </div>
      </Screen>
    );
  }

  const accept = (): Promise<void> =>
    form.run(async () => {
      await api.acceptInvite(code.trim());
      const me = await refreshMe();
      for (const f of me.families) void loadMembers(f.id).catch(() => undefined);
      announce(t("invite.joined"));
      navigate("/", { replace: true });
    });

  return (
    <Screen title={t("invite.title")} testid="screen-invite" lead={t("invite.lead")}>
      <form onSubmit={onSubmit(() => void accept())} noValidate>
        <FormErrors messages={form.general} />
        <Field
          label={t("invite.code")}
          name="code"
          autoCapitalize="characters"
          spellcheck={false}
          required
          value={code}
          onValue={setCode}
          errors={form.byField["code"]}
          testid="invite-code-input"
        />
        <button type="submit" class="button primary big" disabled={form.busy || !code.trim()} data-testid="invite-accept">
          {form.busy ? t("invite.busy") : t("invite.submit")}
        </button>
      </form>
    </Screen>
  );
}
