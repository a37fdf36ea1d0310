/**
 * A parent's own flag, "I want to make this right": choose the child (skipped when there is one),
 * say what happened, then go straight into the guided repair.
 */

import type { JSX } from "preact";
import { useEffect, useMemo, useState } from "preact/hooks";
import { Choice, FormErrors, Loading, Screen, TextArea, onSubmit, type Option } from "../components/ui";
import { urls } from "../lib/api";
import { errorsOf } from "../lib/errors";
import { vocabularyFor } from "../lib/feelings";
import { childrenOf, primaryFamily } from "../lib/model";
import { navigate } from "../lib/router";
import { loadFeelings, loadMembers, outbox, sendViaOutbox, useAppState } from "../lib/store";
import type { Rupture, Size } from "../lib/types";
import { uuid } from "../lib/uuid";

const SIZES: Option<Size>[] = [
  { value: "small", label: "Small" },
  { value: "medium", label: "Medium" },
  { value: "big", label: "Big" },
];

export default function MakeRight(props: { child: string | null; family: string | null; fromNudge?: boolean }): JSX.Element {
  const s = useAppState();
  const familyId = props.family ?? (primaryFamily(s.me) ? String(primaryFamily(s.me)?.id) : null);
  const members = familyId ? s.members[familyId] : undefined;
  const kids = useMemo(() => childrenOf(members ?? [], s.me?.id), [members, s.me?.id]);
  const [childId, setChildId] = useState<string | null>(props.child);
  const [size, setSize] = useState<Size | null>(null);
  const [note, setNote] = useState("");
  const [feelings, setFeelings] = useState<string[]>([]);
  const [busy, setBusy] = useState(false);
  const [errors, setErrors] = useState<string[]>([]);
  const vocab = useMemo(() => vocabularyFor(s.feelings, "adult"), [s.feelings]);

  useEffect(() => {
    if (familyId && !members) void loadMembers(familyId).catch(() => undefined);
    if (!s.feelings.length) void loadFeelings();
  }, [familyId]);
  useEffect(() => {
    if (!childId && kids.length === 1 && kids[0]) setChildId(String(kids[0].id));
  }, [kids]);

  if (!familyId) return <Screen title="I want to make this right" testid="screen-make-right"><p>Create your family first.</p></Screen>;
  if (!members) return <Screen title="I want to make this right" testid="screen-make-right"><Loading /></Screen>;

  if (!childId) {
    return (
      <Screen title="Who do you want to make it right with?" testid="screen-make-right" back={{ to: "/", label: "Home" }}>
        <div class="stack">
          {kids.map((k) => (
            <button type="button" key={String(k.id)} class="button primary big" data-testid={`make-right-child-${String(k.id)}`} onClick={() => setChildId(String(k.id))}>
              {k.display_name}
            </button>
          ))}
          {kids.length === 0 ? <p>Add a child in family settings first.</p> : null}
        </div>
      </Screen>
    );
  }
  const childName = kids.find((k) => String(k.id) === childId)?.display_name ?? "your child";

  const submit = async (): Promise<void> => {
    if (busy || feelings.length === 0) return;
    setBusy(true);
    setErrors([]);
    const key = uuid();
    const body: Record<string, unknown> = {
      family: familyId,
      child: childId,
      feelings,
      intensity: 3,
      occurred_at: new Date().toISOString(),
    };
    if (size) body["size"] = size;
    if (props.fromNudge) body["started_from_nudge"] = true;
    if (note.trim()) body["note"] = note.trim();
    try {
      const res = await sendViaOutbox({ key, kind: "flag", url: urls.ruptures, body, label: `Making it right with ${childName}` });
      if (res.failed) {
        await outbox.remove(key);
        setErrors(res.failed.failed?.errors.map((e) => e.message) ?? []);
      } else if (res.sent) {
        const created = res.body as Rupture | null;
        navigate(created?.id !== undefined ? `/ruptures/${String(created.id)}/repair` : "/", { replace: true });
      } else {
        navigate("/", { replace: true });
      }
    } catch (err) {
      setErrors(errorsOf(err).map((e) => e.message));
    } finally {
      setBusy(false);
    }
  };

  return (
    <Screen
      title={`Making it right with ${childName}`}
      testid="screen-make-right"
      back={{ to: "/", label: "Home" }}
      lead="Everyone loses it sometimes. Coming back to repair is what matters."
    >
      <form onSubmit={onSubmit(() => void submit())} noValidate>
        <FormErrors messages={errors} />
        <TextArea
          label="What happened? (optional)"
          hint={`Only you and ${childName} will see this.`}
          name="note"
          value={note}
          onValue={setNote}
          testid="make-right-note"
          maxLength={2000}
        />
        <Choice legend="How big was it? (optional)" name="size" options={SIZES} value={size} onChange={setSize} testidPrefix="make-right-size" />
        {vocab.length ? (
          <fieldset class="choice">
            <legend>How might {childName} have felt? (choose at least one)</legend>
            <div class="chips">
              {vocab.map((f) => (
                <span class="chip" key={f.code}>
                  <input
                    type="checkbox"
                    id={`mr-${f.code}`}
                    checked={feelings.includes(f.code)}
                    onChange={() => setFeelings(feelings.includes(f.code) ? feelings.filter((c) => c !== f.code) : [...feelings, f.code])}
                    data-testid={`make-right-feeling-${f.code}`}
                  />
                  <label for={`mr-${f.code}`}>
                    {f.emoji ? <span class="emoji" aria-hidden="true">{f.emoji}</span> : null}
                    {f.label}
                  </label>
                </span>
              ))}
            </div>
          </fieldset>
        ) : null}
        <button type="submit" class="button primary big" disabled={busy || feelings.length === 0} data-testid="make-right-submit">
          {busy ? "Starting…" : "Start making it right"}
        </button>
      </form>
    </Screen>
  );
}
