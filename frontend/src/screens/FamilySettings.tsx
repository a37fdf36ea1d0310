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
import { t } from "../lib/i18n";

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
      {done ? t("family.copied") : props.label}
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
      announce(t("family.saved"));
    });
  return (
    <form onSubmit={onSubmit(() => void save())} noValidate>
      <FormErrors messages={form.general} />
      <Field label={t("createFamily.name")} name="name" value={name} onValue={setName} errors={form.byField["name"]} testid="family-name" />
      <Field
        label={t("family.calm")}
        name="calm_down_minutes"
        type="number"
        inputMode="numeric"
        min={0}
        max={1440}
        hint={t("family.calmHint")}
        value={minutes}
        onValue={setMinutes}
        errors={form.byField["calm_down_minutes"]}
        testid="calm-minutes"
      />
      <Checkbox
        label={t("family.reminders")}
        checked={reminders}
        onChange={setReminders}
        hint={t("family.remindersHint")}
        testid="reminders-enabled"
      />
      <button type="submit" class="button primary" disabled={form.busy} data-testid="save-family">
        {form.busy ? t("common.saving") : t("family.save")}
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
      announce(t("family.removed", { name: m.display_name }));
      setConfirm(null);
    } catch (err) {
      setErrors(errorsOf(err).map((e) => e.message));
    }
  };
  return (
    <section aria-labelledby="members-title">
      <h2 id="members-title">{t("family.members")}</h2>
      <FormErrors messages={errors} />
      <ul class="cards">
        {props.members.map((m) => {
          const id = String(m.id);
          const me = id === props.meId;
          return (
            <li key={id} class="card" data-testid={`member-${id}`}>
              <span class="card-title">
                {m.display_name}
                {me ? ` ${t("family.you")}` : ""}
              </span>{" "}
              <span class="status">{m.role === "parent" ? t("family.parent") : m.role === "child" ? t("family.child") : String(m.role)}</span>
              {!me ? (
                confirm === id ? (
                  <div class="row">
                    <button type="button" class="button danger" onClick={() => void remove(m)} data-testid={`remove-member-confirm-${id}`}>
                      {t("family.removeYes", { name: m.display_name })}
                    </button>
                    <button type="button" class="button quiet" onClick={() => setConfirm(null)}>
                      {t("common.cancel")}
                    </button>
                  </div>
                ) : (
                  <p>
                    <button type="button" class="link-button" onClick={() => setConfirm(id)} data-testid={`remove-member-${id}`}>
                      {t("family.remove", { name: m.display_name })}
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
      <h2 id="invite-title">{t("family.inviteTitle")}</h2>
      <p>{t("family.inviteLead")}</p>
      <FormErrors messages={form.general} />
      <div class="stack">
        <button type="button" class="button" disabled={form.busy} onClick={() => void make("parent")} data-testid="invite-parent">
          {t("family.inviteParent")}
        </button>
        <button type="button" class="button" disabled={form.busy} onClick={() => void make("child")} data-testid="invite-child">
          {t("family.inviteChild")}
        </button>
      </div>
      {invite ? (
        <div class="card" data-testid="invite-result">
          <p>
            {invite.role === "parent" ? t("family.inviteForParent") : t("family.inviteForChild")}{" "}
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
          <CopyButton text={invite.url} label={t("family.shareLink")} testid="invite-share" />
          <QrCode value={invite.url} label={t("family.inviteQr", { url: invite.url })} />
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
      announce(t("family.deviceOut"));
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
      {devices && devices.length === 0 ? <p>{t("family.noDevices")}</p> : null}
      <ul class="plain">
        {(devices ?? []).map((d) => (
          <li key={String(d.id)} class="row">
            <span>
              {d.user_agent || t("family.aDevice")} ({t("family.lastUsed")} <Time iso={d.last_seen_at} />)
            </span>
            <button type="button" class="button danger" onClick={() => void revoke(d)} data-testid={`revoke-device-${String(d.id)}`}>
              {t("family.signOutDevice")}
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
          {t("family.pair")}
        </button>
        <button type="button" class="button quiet" aria-expanded={showDevices} onClick={() => setShowDevices(!showDevices)} data-testid={`show-devices-${cid}`}>
          {showDevices ? t("family.hideDevices") : t("family.seeDevices")}
        </button>
      </div>
      {code ? (
        <div data-testid={`pairing-panel-${cid}`}>
          <p>
            {t("family.pairHow", { name: props.child.display_name })}{" "}
            <Time iso={code.expires_at} />.
          </p>
          <p class="big-code" data-testid="pairing-code">
            {code.code}
          </p>
          <QrCode value={code.url} label={t("family.pairQr", { name: props.child.display_name })} />
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
      announce(t("family.childAdded"));
    });
  return (
    <section aria-labelledby="children-title">
      <h2 id="children-title">{t("family.children")}</h2>
      <ul class="cards">
        {props.children.map((c) => (
          <ChildCard key={String(c.id)} familyId={props.familyId} child={c} />
        ))}
      </ul>
      <form class="card" onSubmit={onSubmit(() => void add())} noValidate>
        <h3>{t("family.addChild")}</h3>
        <p class="hint">{t("family.addChildHint")}</p>
        <FormErrors messages={form.general} />
        <Field label={t("family.childName")} name="display_name" value={name} onValue={setName} errors={form.byField["display_name"]} testid="child-name" autoComplete="off" />
        <Field
          label={t("family.birthYear")}
          name="birth_year"
          type="number"
          inputMode="numeric"
          min={2000}
          max={new Date().getFullYear()}
          value={year}
          onValue={setYear}
          errors={form.byField["birth_year"]}
          hint={t("family.birthYearHint")}
          testid="child-birth-year"
        />
        <button type="submit" class="button primary" disabled={form.busy || !name.trim() || !year} data-testid="add-child-submit">
          {form.busy ? t("family.adding") : t("family.addChildSubmit")}
        </button>
      </form>
    </section>
  );
}

function scopes(): { value: "metrics" | "details"; label: string }[] {
  return [
    { value: "metrics", label: t("family.scopeMetrics") },
    { value: "details", label: t("family.scopeDetails") },
  ];
}

function scopeText(scope: string): string {
  return scope === "details" ? t("family.seesDetails") : t("family.seesMetrics");
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
      announce(t("family.careLinked"));
      load();
    });
  const remove = async (l: CareTeamLink): Promise<void> => {
    try {
      await api.removeCareTeam(props.familyId, l.id);
      announce(t("family.linkRemoved"));
      load();
    } catch (err) {
      setErrors(errorsOf(err).map((e) => e.message));
    }
  };
  return (
    <section aria-labelledby="care-title">
      <h2 id="care-title">{t("family.care")}</h2>
      <p>{t("family.careLead")}</p>
      <FormErrors messages={errors} />
      {links === null && !errors.length ? <Loading /> : null}
      <ul class="cards">
        {(links ?? []).map((l) => (
          <li key={String(l.id)} class="card" data-testid={`care-link-${String(l.id)}`}>
            <span class="card-title">{l.therapist.display_name}</span>
            <p data-testid={`care-link-scope-${String(l.id)}`}>{scopeText(l.scope)}</p>
            <p>
              <a href={href(`/families/${props.familyId}/care-team/${String(l.id)}/preview`)} data-testid={`care-preview-${String(l.id)}`}>
                {t("family.whatSees", { name: l.therapist.display_name })}
              </a>
            </p>
            <button type="button" class="button danger" onClick={() => void remove(l)} data-testid={`care-remove-${String(l.id)}`}>
              {t("family.removeLink")}
            </button>
          </li>
        ))}
      </ul>
      <form onSubmit={onSubmit(() => void add())} noValidate>
        <FormErrors messages={form.general} />
        <Field label={t("family.shareCode")} name="share_code" value={code} onValue={setCode} errors={form.byField["share_code"]} testid="care-share-code" autoComplete="off" />
        <Choice legend={t("family.mayShow")} name="scope" options={scopes()} value={scope} onChange={(v) => setScope(v ?? "metrics")} testidPrefix="care-scope" errors={form.byField["scope"]} />
        <button type="submit" class="button primary" disabled={form.busy || !code.trim()} data-testid="care-add">
          {form.busy ? t("family.linking") : t("family.link")}
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
      .catch((err) => setError(errorsOf(err)[0]?.message ?? t("rupture.loadFailed")));
    void loadMembers(props.id).catch(() => undefined);
  }, [props.id]);

  const meId = s.me ? String(s.me.id) : "";
  if (!family) {
    return (
      <Screen title={t("common.familySettings")} testid="screen-family-settings" back={{ to: "/", label: t("common.home") }}>
        {error ? <p role="alert">{error}</p> : <Loading />}
      </Screen>
    );
  }
  return (
    <Screen title={family.name || t("common.familySettings")} testid="screen-family-settings" back={{ to: "/", label: t("common.home") }} lead={t("common.familySettings")}>
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
