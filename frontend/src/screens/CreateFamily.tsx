import type { JSX } from "preact";
import { useState } from "preact/hooks";
import { Field, FormErrors, Screen, onSubmit, useSubmit } from "../components/ui";
import { api } from "../lib/api";
import { navigate } from "../lib/router";
import { announce, loadMembers, refreshMe } from "../lib/store";
import { t } from "../lib/i18n";

export default function CreateFamily(): JSX.Element {
  const [name, setName] = useState("");
  const form = useSubmit(["name"]);
  const submit = (): Promise<void> =>
    form.run(async () => {
      const family = await api.createFamily(name.trim());
      await refreshMe();
      void loadMembers(family.id).catch(() => undefined);
      announce(t("createFamily.done"));
      navigate(`/families/${String(family.id)}`, { replace: true });
    });
  return (
    <Screen title={t("createFamily.title")} testid="screen-create-family" back={{ to: "/", label: t("common.home") }} lead={t("createFamily.lead")}>
      <form onSubmit={onSubmit(() => void submit())} noValidate>
        <FormErrors messages={form.general} />
        <Field
          label={t("createFamily.name")}
          name="name"
          hint={t("createFamily.nameHint")}
          required
          value={name}
          onValue={setName}
          errors={form.byField["name"]}
          testid="family-name"
        />
        <button type="submit" class="button primary big" disabled={form.busy || !name.trim()} data-testid="create-family-submit">
          {form.busy ? t("signup.busy") : t("createFamily.submit")}
        </button>
      </form>
    </Screen>
  );
}
