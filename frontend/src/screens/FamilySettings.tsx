/**
 * Family settings for parents: name and calm-down time, members, invites (code + link + QR),
 * young children (add, pair a device, see and revoke devices), the care team link with its scope,
 * and the parent's own notification settings.
 */

import type { JSX } from "preact";
import { useEffect, useState } from "preact/hooks";
import { MySettings } from "../components/MySettings";
import { ReflectionSettings } from "../components/Reflection";
import { QrCode } from "../components/QrCode";
import { Checkbox, Choice, Field, FormErrors, Loading, Screen, Time, onSubmit, useSubmit } from "../components/ui";
import { api } from "../lib/api";
import { errorsOf } from "../lib/errors";
import { childrenOf } from "../lib/model";
import { href } from "../lib/router";
import { announce, loadMembers, refreshMe, useAppState } from "../lib/store";
import type { CareTeamLink, Device, Family, Invite, Member, PairingCode } from "../lib/types";

function CopyButton(props: { text: string; label: string; testid: string }): JSX.Element {
  const [done, setDone] = useState(false);
  const copy = async (): Promise<void> => {
    try {
      if (navigator.share) {
        await navigator.share({ url: props.text });
      } else {
        await navigator.clipboard.writeText(props.text);
        setDone(true);
      }
    } catch {
      // The person cancelled the share sheet.
    }
  };
  return (
    <button type="button" class="button quiet" onClick={() => void copy()} data-testid={props.testid}>
      {done ? "Copied" : props.label}
    </button>
  );
}

function FamilyForm(props: { family: Family; onSaved: (f: Family) => void }): JSX.Element {
  const [name, setName] = useState(props.family.name);
  const [minutes, setMinutes] = useState(String(props.family.calm_down_minutes ?? 10));
  const [reminders, setReminders] = useState(props.family.reminders_enabled);
  const form = useSubmit(["name", "calm_down_minutes", "reminders_enabled"]);
  const save = (): Promise<void> =>
    form.run(async () => {
      const updated = await api.updateFamily(props.family.id, {
        name: name.trim(),
        calm_down_minutes: Number(minutes),
        reminders_enabled: reminders,
      });
      props.onSaved({ ...props.family, ...updated });
      await refreshMe().catch(() => undefined);
      announce("Family saved.");
    });
  return (
    <form onSubmit={onSubmit(() => void save())} noValidate>
      <FormErrors messages={form.general} />
      <Field label="Family name" name="name" value={name} onValue={setName} errors={form.byField["name"]} testid="family-name" />
      <Field
        label="Calm-down time (minutes)"
        name="calm_down_minutes"
        type="number"
        inputMode="numeric"
        min={0}
        max={1440}
        hint="How long to wait before FamilyRepair prompts you to repair (0 for no wait)."
        value={minutes}
        onValue={setMinutes}
        errors={form.byField["calm_down_minutes"]}
        testid="calm-minutes"
      />
      <Checkbox
        label="Remind me while a repair is still open"
        checked={reminders}
        onChange={setReminders}
        hint="Gentle reminders after a few hours, a day, then a few days. Off means none at all."
        testid="reminders-enabled"
      />
      <button type="submit" class="button primary" disabled={form.busy} data-testid="save-family">
        {form.busy ? "Saving…" : "Save"}
      </button>
    </form>
  );
}

function Members(props: { familyId: string; members: Member[]; meId: string }): JSX.Element {
  const [confirm, setConfirm] = useState<string | null>(null);
  const [errors, setErrors] = useState<string[]>([]);
  const remove = async (m: Member): Promise<void> => {
    try {
      await api.removeMember(props.familyId, m.id);
      await loadMembers(props.familyId);
      announce(`${m.display_name} was removed from the family.`);
      setConfirm(null);
    } catch (err) {
      setErrors(errorsOf(err).map((e) => e.message));
    }
  };
  return (
    <section aria-labelledby="members-title">
      <h2 id="members-title">Family members</h2>
      <FormErrors messages={errors} />
      <ul class="cards">
        {props.members.map((m) => {
          const id = String(m.id);
          const me = id === props.meId;
          return (
            <li key={id} class="card" data-testid={`member-${id}`}>
              <span class="card-title">
                {m.display_name}
                {me ? " (you)" : ""}
              </span>{" "}
              <span class="status">{m.role === "parent" ? "Parent" : m.role === "child" ? "Child" : String(m.role)}</span>
              {!me ? (
                confirm === id ? (
                  <div class="row">
                    <button type="button" class="button danger" onClick={() => void remove(m)} data-testid={`remove-member-confirm-${id}`}>
                      Yes, remove {m.display_name}
                    </button>
                    <button type="button" class="button quiet" onClick={() => setConfirm(null)}>
                      Cancel
                    </button>
                  </div>
                ) : (
                  <p>
                    <button type="button" class="link-button" onClick={() => setConfirm(id)} data-testid={`remove-member-${id}`}>
                      Remove {m.display_name} from the family
                    </button>
                  </p>
                )
              ) : null}
            </li>
          );
        })}
      </ul>
    </section>
  );
}

function Invites(props: { familyId: string }): JSX.Element {
  const [invite, setInvite] = useState<(Invite & { role: string }) | null>(null);
  const form = useSubmit(["role"]);
  const make = (role: "parent" | "child"): Promise<void> =>
    form.run(async () => {
      const inv = await api.invite(props.familyId, role);
      setInvite({ ...inv, role });
    });
  return (
    <section aria-labelledby="invite-title">
      <h2 id="invite-title">Invite someone</h2>
      <p>Invite another parent, or an older child who has their own email.</p>
      <FormErrors messages={form.general} />
      <div class="stack">
        <button type="button" class="button" disabled={form.busy} onClick={() => void make("parent")} data-testid="invite-parent">
          Invite a parent or adult
        </button>
        <button type="button" class="button" disabled={form.busy} onClick={() => void make("child")} data-testid="invite-child">
          Invite an older child (own email)
        </button>
      </div>
      {invite ? (
        <div class="card" data-testid="invite-result">
          <p>
            Invite for {invite.role === "parent" ? "a parent" : "a child"}. Share the link, or let them scan the code. It works until{" "}
            <Time iso={invite.expires_at} />.
          </p>
          <p class="big-code" data-testid="invite-code">
            {invite.code}
          </p>
          <p>
            <a href={invite.url} data-testid="invite-link">
              {invite.url}
            </a>
          </p>
          <CopyButton text={invite.url} label="Share the link" testid="invite-share" />
          <QrCode value={invite.url} label={`QR code for the invite link ${invite.url}`} />
        </div>
      ) : null}
    </section>
  );
}

function Devices(props: { familyId: string; child: Member }): JSX.Element {
  const [devices, setDevices] = useState<Device[] | null>(null);
  const [errors, setErrors] = useState<string[]>([]);
  const load = (): void => {
    api
      .devices(props.familyId, props.child.id)
      .then((d) => setDevices(d.results))
      .catch((err) => setErrors(errorsOf(err).map((e) => e.message)));
  };
  useEffect(load, [props.child.id]);
  const revoke = async (d: Device): Promise<void> => {
    try {
      await api.revokeDevice(props.familyId, props.child.id, d.id);
      announce("That device is signed out.");
      load();
    } catch (err) {
      setErrors(errorsOf(err).map((e) => e.message));
    }
  };
  const cid = String(props.child.id);
  return (
    <div data-testid={`devices-${cid}`}>
      <FormErrors messages={errors} />
      {devices === null && !errors.length ? <Loading /> : null}
      {devices && devices.length === 0 ? <p>No paired devices.</p> : null}
      <ul class="plain">
        {(devices ?? []).map((d) => (
          <li key={String(d.id)} class="row">
            <span>
              {d.user_agent || "A device"}
              {" "}
              (last used <Time iso={d.last_seen_at} />)
            </span>
            <button type="button" class="button danger" onClick={() => void revoke(d)} data-testid={`revoke-device-${String(d.id)}`}>
              Sign out this device
            </button>
          </li>
        ))}
      </ul>
    </div>
  );
}

function ChildCard(props: { familyId: string; child: Member }): JSX.Element {
  const [code, setCode] = useState<PairingCode | null>(null);
  const [showDevices, setShowDevices] = useState(false);
  const form = useSubmit([]);
  const cid = String(props.child.id);
  const pair = (): Promise<void> =>
    form.run(async () => {
      setCode(await api.pairingCode(props.familyId, props.child.id));
    });
  return (
    <li class="card" data-testid={`child-card-${cid}`}>
      <h3>{props.child.display_name}</h3>
      <FormErrors messages={form.general} />
      <div class="row">
        <button type="button" class="button" disabled={form.busy} onClick={() => void pair()} data-testid={`pair-device-${cid}`}>
          Pair a phone or tablet
        </button>
        <button type="button" class="button quiet" aria-expanded={showDevices} onClick={() => setShowDevices(!showDevices)} data-testid={`show-devices-${cid}`}>
          {showDevices ? "Hide devices" : "See devices"}
        </button>
      </div>
      {code ? (
        <div data-testid={`pairing-panel-${cid}`}>
          <p>
            On {props.child.display_name}'s device, open FamilyRepair and type this code, or scan the QR code. It works until{" "}
            <Time iso={code.expires_at} />.
          </p>
          <p class="big-code" data-testid="pairing-code">
            {code.code}
          </p>
          <QrCode value={code.url} label={`QR code to pair ${props.child.display_name}'s device`} />
        </div>
      ) : null}
      {showDevices ? <Devices familyId={props.familyId} child={props.child} /> : null}
    </li>
  );
}

function Children(props: { familyId: string; children: Member[] }): JSX.Element {
  const [name, setName] = useState("");
  const [year, setYear] = useState("");
  const form = useSubmit(["display_name", "birth_year"]);
  const add = (): Promise<void> =>
    form.run(async () => {
      await api.addChild(props.familyId, { display_name: name.trim(), birth_year: Number(year) });
      await loadMembers(props.familyId);
      setName("");
      setYear("");
      announce("Child added. You can pair their device now.");
    });
  return (
    <section aria-labelledby="children-title">
      <h2 id="children-title">Children</h2>
      <ul class="cards">
        {props.children.map((c) => (
          <ChildCard key={String(c.id)} familyId={props.familyId} child={c} />
        ))}
      </ul>
      <form class="card" onSubmit={onSubmit(() => void add())} noValidate>
        <h3>Add a young child</h3>
        <p class="hint">For children without their own email. They sign in on their device with a pairing code.</p>
        <FormErrors messages={form.general} />
        <Field label="Their name" name="display_name" value={name} onValue={setName} errors={form.byField["display_name"]} testid="child-name" autoComplete="off" />
        <Field
          label="Year they were born"
          name="birth_year"
          type="number"
          inputMode="numeric"
          min={2000}
          max={new Date().getFullYear()}
          value={year}
          onValue={setYear}
          errors={form.byField["birth_year"]}
          hint="We use it to choose words that fit their age."
          testid="child-birth-year"
        />
        <button type="submit" class="button primary" disabled={form.busy || !name.trim() || !year} data-testid="add-child-submit">
          {form.busy ? "Adding…" : "Add child"}
        </button>
      </form>
    </section>
  );
}

const SCOPES = [
  { value: "metrics", label: "Only how often things get repaired" },
  { value: "details", label: "Details too: feelings, steps and messages" },
] as const;

function scopeText(scope: string): string {
  return scope === "details" ? "Sees details: feelings, repair steps and messages" : "Sees only how often things get repaired, never what anyone wrote";
}

function CareTeam(props: { familyId: string }): JSX.Element {
  const [links, setLinks] = useState<CareTeamLink[] | null>(null);
  const [code, setCode] = useState("");
  const [scope, setScope] = useState<"metrics" | "details" | null>("metrics");
  const form = useSubmit(["share_code", "scope"]);
  const [errors, setErrors] = useState<string[]>([]);
  const load = (): void => {
    api
      .careTeam(props.familyId)
      .then((d) => setLinks(d.results))
      .catch((err) => setErrors(errorsOf(err).map((e) => e.message)));
  };
  useEffect(load, [props.familyId]);
  const add = (): Promise<void> =>
    form.run(async () => {
      await api.addCareTeam(props.familyId, { share_code: code.trim(), scope: scope ?? "metrics" });
      setCode("");
      announce("Your care team is linked.");
      load();
    });
  const remove = async (l: CareTeamLink): Promise<void> => {
    try {
      await api.removeCareTeam(props.familyId, l.id);
      announce("Link removed.");
      load();
    } catch (err) {
      setErrors(errorsOf(err).map((e) => e.message));
    }
  };
  return (
    <section aria-labelledby="care-title">
      <h2 id="care-title">Care team</h2>
      <p>If you work with a counsellor or therapist, link them with the share code they gave you. You choose what they see.</p>
      <FormErrors messages={errors} />
      {links === null && !errors.length ? <Loading /> : null}
      <ul class="cards">
        {(links ?? []).map((l) => (
          <li key={String(l.id)} class="card" data-testid={`care-link-${String(l.id)}`}>
            <span class="card-title">{l.therapist.display_name}</span>
            <p data-testid={`care-link-scope-${String(l.id)}`}>{scopeText(l.scope)}</p>
            <p>
              <a href={href(`/families/${props.familyId}/care-team/${String(l.id)}/preview`)} data-testid={`care-preview-${String(l.id)}`}>
                What {l.therapist.display_name} sees
              </a>
            </p>
            <button type="button" class="button danger" onClick={() => void remove(l)} data-testid={`care-remove-${String(l.id)}`}>
              Remove this link
            </button>
          </li>
        ))}
      </ul>
      <form onSubmit={onSubmit(() => void add())} noValidate>
        <FormErrors messages={form.general} />
        <Field label="Share code" name="share_code" value={code} onValue={setCode} errors={form.byField["share_code"]} testid="care-share-code" autoComplete="off" />
        <Choice legend="What they may see" name="scope" options={SCOPES} value={scope} onChange={(v) => setScope(v ?? "metrics")} testidPrefix="care-scope" errors={form.byField["scope"]} />
        <button type="submit" class="button primary" disabled={form.busy || !code.trim()} data-testid="care-add">
          {form.busy ? "Linking…" : "Link care team"}
        </button>
      </form>
    </section>
  );
}

export default function FamilySettings(props: { id: string }): JSX.Element {
  const s = useAppState();
  const [family, setFamily] = useState<Family | null>(null);
  const [error, setError] = useState<string | null>(null);
  const members = s.members[props.id];

  useEffect(() => {
    api
      .family(props.id)
      .then(setFamily)
      .catch((err) => setError(errorsOf(err)[0]?.message ?? "Could not load."));
    void loadMembers(props.id).catch(() => undefined);
  }, [props.id]);

  const meId = s.me ? String(s.me.id) : "";
  if (!family) {
    return (
      <Screen title="Family settings" testid="screen-family-settings" back={{ to: "/", label: "Home" }}>
        {error ? <p role="alert">{error}</p> : <Loading />}
      </Screen>
    );
  }
  return (
    <Screen title={family.name || "Family settings"} testid="screen-family-settings" back={{ to: "/", label: "Home" }} lead="Family settings">
      <FamilyForm family={family} onSaved={setFamily} />
      {members ? <Members familyId={props.id} members={members} meId={meId} /> : <Loading />}
      <Invites familyId={props.id} />
      <Children familyId={props.id} children={childrenOf(members ?? [], meId)} />
      <CareTeam familyId={props.id} />
      <MySettings />
      <ReflectionSettings />
    </Screen>
  );
}
