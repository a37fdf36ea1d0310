/**
 * "I want to make this right", from either side. A parent's own flag: choose the child (skipped
 * when there is one), say what happened, then go straight into the guided repair. A child's own
 * repair toward a parent (`direction: child_repairs`): choose the parent, the same steps in words
 * for their age, then their own guided steps.
 */

import type { JSX } from "preact";
import { useEffect, useMemo, useState } from "preact/hooks";
import { Choice, FormErrors, Loading, Screen, TextArea, onSubmit, type Option } from "../components/ui";
import { urls } from "../lib/api";
import { errorsOf } from "../lib/errors";
import { vocabularyFor, type Feeling } from "../lib/feelings";
import { childrenOf, myRole, parentsOf, primaryFamily } from "../lib/model";
import { wordingFor } from "../lib/repairSteps";
import { navigate } from "../lib/router";
import { loadFeelings, loadMembers, outbox, sendViaOutbox, useAppState } from "../lib/store";
import type { Rupture, Size } from "../lib/types";
import { uuid } from "../lib/uuid";
import { t } from "../lib/i18n";

function sizeOptions(): Option<Size>[] {
  return [
    { value: "small", label: t("flag.size.small") },
    { value: "medium", label: t("flag.size.medium") },
    { value: "big", label: t("flag.size.big") },
  ];
}

export default function MakeRight(props: {
  child: string | null;
  parent: string | null;
  family: string | null;
  fromNudge?: boolean;
}): JSX.Element {
  const s = useAppState();
  const familyId = props.family ?? (primaryFamily(s.me) ? String(primaryFamily(s.me)?.id) : null);
  if (familyId && myRole(s.me, familyId) === "child") return <ChildMakesRight parent={props.parent} familyId={familyId} />;
  return <ParentMakesRight child={props.child} familyId={familyId} fromNudge={props.fromNudge ?? false} />;
}

/** The feelings someone making it right thinks the other felt: checkboxes, at least one. */
function FeelingChecklist(props: {
  legend: string;
  vocab: readonly Feeling[];
  chosen: string[];
  onChange: (codes: string[]) => void;
}): JSX.Element {
  const { chosen } = props;
  return (
    <fieldset class="choice">
      <legend>{props.legend}</legend>
      <div class="chips">
        {props.vocab.map((f) => (
          <span class="chip" key={f.code}>
            <input
              type="checkbox"
              id={`mr-${f.code}`}
              checked={chosen.includes(f.code)}
              onChange={() => props.onChange(chosen.includes(f.code) ? chosen.filter((c) => c !== f.code) : [...chosen, f.code])}
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
  );
}

/** Send the new rupture through the outbox, then open its guided steps. */
async function start(body: Record<string, unknown>, label: string): Promise<string[]> {
  const key = uuid();
  const res = await sendViaOutbox({ key, kind: "flag", url: urls.ruptures, body, label });
  if (res.failed) {
    await outbox.remove(key);
    return res.failed.failed?.errors.map((e) => e.message) ?? [];
  }
  const created = res.sent ? (res.body as Rupture | null) : null;
  navigate(created?.id !== undefined ? `/ruptures/${String(created.id)}/repair-steps` : "/", { replace: true });
  return [];
}

const CHILD_WORDS = {
  young: {
    lead: () => t("makeRight.child.leadYoung"),
    what: () => t("makeRight.child.whatYoung"),
    felt: (name: string) => t("makeRight.child.feltYoung", { name }),
    go: () => t("makeRight.child.goYoung"),
  },
  teen: {
    lead: () => t("makeRight.child.leadTeen"),
    what: () => t("makeRight.what"),
    felt: (name: string) => t("makeRight.felt", { name }),
    go: () => t("makeRight.go"),
  },
  adult: {
    lead: () => t("makeRight.child.leadAdult"),
    what: () => t("makeRight.what"),
    felt: (name: string) => t("makeRight.felt", { name }),
    go: () => t("makeRight.go"),
  },
} as const;

function ChildMakesRight(props: { parent: string | null; familyId: string }): JSX.Element {
  const s = useAppState();
  const familyId = props.familyId;
  const members = s.members[familyId];
  const parents = useMemo(() => parentsOf(members ?? [], s.me?.id), [members, s.me?.id]);
  const [parentId, setParentId] = useState<string | null>(props.parent);
  const [note, setNote] = useState("");
  const [feelings, setFeelings] = useState<string[]>([]);
  const [busy, setBusy] = useState(false);
  const [errors, setErrors] = useState<string[]>([]);
  const band = s.me?.age_band;
  const words = CHILD_WORDS[wordingFor(band)];
  const vocab = useMemo(() => vocabularyFor(s.feelings, band), [s.feelings, band]);

  useEffect(() => {
    if (!members) void loadMembers(familyId).catch(() => undefined);
    if (!s.feelings.length) void loadFeelings();
  }, [familyId]);
  useEffect(() => {
    if (!parentId && parents.length === 1 && parents[0]) setParentId(String(parents[0].id));
  }, [parents]);

  if (!members) return <Screen title={t("home.makeItRight")} testid="screen-make-right"><Loading /></Screen>;
  if (!parentId) {
    return (
      <Screen title={t("makeRight.who")} testid="screen-make-right" back={{ to: "/", label: t("common.home") }}>
        <div class="stack">
          {parents.map((p) => (
            <button type="button" key={String(p.id)} class="button primary big" data-testid={`make-right-parent-${String(p.id)}`} onClick={() => setParentId(String(p.id))}>
              {p.display_name}
            </button>
          ))}
        </div>
      </Screen>
    );
  }
  const parentName = parents.find((p) => String(p.id) === parentId)?.display_name ?? t("flag.yourParent");

  const submit = async (): Promise<void> => {
    if (busy || feelings.length === 0) return;
    setBusy(true);
    setErrors([]);
    const body: Record<string, unknown> = {
      family: familyId,
      parent: parentId,
      direction: "child_repairs",
      feelings,
      intensity: 3,
      occurred_at: new Date().toISOString(),
    };
    if (note.trim()) body["note"] = note.trim();
    try {
      setErrors(await start(body, t("makeRight.title", { name: parentName })));
    } catch (err) {
      setErrors(errorsOf(err).map((e) => e.message));
    } finally {
      setBusy(false);
    }
  };

  return (
    <Screen title={t("makeRight.title", { name: parentName })} testid="screen-make-right" back={{ to: "/", label: t("common.home") }} lead={words.lead()}>
      <form onSubmit={onSubmit(() => void submit())} noValidate>
        <FormErrors messages={errors} />
        <TextArea
          label={words.what()}
          hint={t("makeRight.onlyYouAnd", { name: parentName })}
          name="note"
          value={note}
          onValue={setNote}
          testid="make-right-note"
          maxLength={2000}
        />
        {vocab.length ? (
          <FeelingChecklist legend={words.felt(parentName)} vocab={vocab} chosen={feelings} onChange={setFeelings} />
        ) : null}
        <button type="submit" class="button primary big" disabled={busy || feelings.length === 0} data-testid="make-right-submit">
          {busy ? t("makeRight.starting") : words.go()}
        </button>
      </form>
    </Screen>
  );
}

function ParentMakesRight(props: { child: string | null; familyId: string | null; fromNudge: boolean }): JSX.Element {
  const s = useAppState();
  const familyId = props.familyId;
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

  if (!familyId) return <Screen title={t("home.makeThisRight")} testid="screen-make-right"><p>{t("makeRight.noFamily")}</p></Screen>;
  if (!members) return <Screen title={t("home.makeThisRight")} testid="screen-make-right"><Loading /></Screen>;

  if (!childId) {
    return (
      <Screen title={t("makeRight.who")} testid="screen-make-right" back={{ to: "/", label: t("common.home") }}>
        <div class="stack">
          {kids.map((k) => (
            <button type="button" key={String(k.id)} class="button primary big" data-testid={`make-right-child-${String(k.id)}`} onClick={() => setChildId(String(k.id))}>
              {k.display_name}
            </button>
          ))}
          {kids.length === 0 ? <p>{t("makeRight.noChild")}</p> : null}
        </div>
      </Screen>
    );
  }
  const childName = kids.find((k) => String(k.id) === childId)?.display_name ?? t("makeRight.yourChild");

  const submit = async (): Promise<void> => {
    if (busy || feelings.length === 0) return;
    setBusy(true);
    setErrors([]);
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
      setErrors(await start(body, t("makeRight.title", { name: childName })));
    } catch (err) {
      setErrors(errorsOf(err).map((e) => e.message));
    } finally {
      setBusy(false);
    }
  };

  return (
    <Screen
      title={t("makeRight.title", { name: childName })}
      testid="screen-make-right"
      back={{ to: "/", label: t("common.home") }}
      lead={t("makeRight.parentLead")}
    >
      <form onSubmit={onSubmit(() => void submit())} noValidate>
        <FormErrors messages={errors} />
        <TextArea
          label={t("makeRight.what")}
          hint={t("makeRight.onlyYouAnd", { name: childName })}
          name="note"
          value={note}
          onValue={setNote}
          testid="make-right-note"
          maxLength={2000}
        />
        <Choice legend={t("makeRight.size")} name="size" options={sizeOptions()} value={size} onChange={setSize} testidPrefix="make-right-size" />
        {vocab.length ? (
          <FeelingChecklist legend={t("makeRight.felt", { name: childName })} vocab={vocab} chosen={feelings} onChange={setFeelings} />
        ) : null}
        <button type="submit" class="button primary big" disabled={busy || feelings.length === 0} data-testid="make-right-submit">
          {busy ? t("makeRight.starting") : t("makeRight.go")}
        </button>
      </form>
    </Screen>
  );
}
