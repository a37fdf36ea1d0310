import type { JSX } from "preact";
import { useState } from "preact/hooks";
import { Field, FormErrors, Screen, onSubmit, useSubmit } from "../components/ui";
import { api } from "../lib/api";
import { navigate } from "../lib/router";
import { announce, loadMembers, refreshMe } from "../lib/store";

export default function CreateFamily(): JSX.Element {
  const [name, setName] = useState("");
  const form = useSubmit(["name"]);
  const submit = (): Promise<void> =>
    form.run(async () => {
      const family = await api.createFamily(name.trim());
      await refreshMe();
      void loadMembers(family.id).catch(() => undefined);
      announce("Your family is ready.");
      navigate(`/families/${String(family.id)}`, { replace: true });
    });
  return (
    <Screen title="Create your family" testid="screen-create-family" back={{ to: "/", label: "Home" }} lead="You can invite another parent and add children next.">
      <form onSubmit={onSubmit(() => void submit())} noValidate>
        <FormErrors messages={form.general} />
        <Field
          label="Family name"
          name="name"
          hint="Only your family sees this, for example “The Rivera family”."
          required
          value={name}
          onValue={setName}
          errors={form.byField["name"]}
          testid="family-name"
        />
        <button type="submit" class="button primary big" disabled={form.busy || !name.trim()} data-testid="create-family-submit">
          {form.busy ? "Creating…" : "Create family"}
        </button>
      </form>
    </Screen>
  );
}
