/** The shell: header with the inbox badge, status banners, the live region, and the routes. */

import { Fragment, type JSX } from "preact";
import { useEffect } from "preact/hooks";
import { blockingPath, FLOW_PATHS } from "./lib/authFlows";
import { careScreen, lazyScreen } from "./lib/lazy";
import { href, match, navigate, useLocation, type Match, type RouteTable } from "./lib/router";
import { myOutbox, setState, useAppState } from "./lib/store";
import { Loading } from "./components/ui";
import { Home } from "./screens/Home";
import { FlagFlow } from "./screens/FlagFlow";
import { Safety } from "./screens/Safety";
import { Notes } from "./screens/Notes";
import { Login } from "./screens/Login";
import { t } from "./lib/i18n";

const Signup = lazyScreen(() => import("./screens/auth/Signup"));
const VerifyEmail = lazyScreen(() => import("./screens/auth/VerifyEmail"));
const ResetPassword = lazyScreen(() => import("./screens/auth/ResetPassword"));
const MfaAuthenticate = lazyScreen(() => import("./screens/auth/MfaAuthenticate"));
const Security = lazyScreen(() => import("./screens/Security"));
const TherapistJoin = careScreen(() => import("./screens/care/TherapistJoin"));
const CareFamily = careScreen(() => import("./screens/care/CareFamily"));
const CareSummary = careScreen(() => import("./screens/care/CareSummary"));
const CarePreview = careScreen(() => import("./screens/care/CarePreview"));
const CareRupture = careScreen<{ familyId: string; id: string }>(() => import("./screens/care/CareRupture"));
const SafetyReviewQueue = careScreen(() => import("./screens/care/SafetyReviews"));
const SafetyReviewDetail = careScreen<{ id: string }>(() => import("./screens/care/SafetyReviews").then((m) => ({ default: m.SafetyReviewDetail })));
const Pair = lazyScreen(() => import("./screens/Pair"));
const Invite = lazyScreen(() => import("./screens/Invite"));
const CreateFamily = lazyScreen(() => import("./screens/CreateFamily"));
const FamilySettings = lazyScreen(() => import("./screens/FamilySettings"));
const MakeRight = lazyScreen(() => import("./screens/MakeRight"));
const ReflectionScreen = lazyScreen(() => import("./screens/Reflection"));
const RuptureDetail = lazyScreen(() => import("./screens/RuptureDetail"));
const RepairSteps = lazyScreen(() => import("./screens/RepairSteps"));
const History = lazyScreen(() => import("./screens/History"));
const Plans = lazyScreen(() => import("./screens/Plans"));
const Inbox = lazyScreen(() => import("./screens/Inbox"));
const Privacy = lazyScreen(() => import("./screens/Privacy"));
const Account = lazyScreen(() => import("./screens/Account"));

export const ROUTES: RouteTable = [
  ["home", "/"],
  // allauth's flows: their paths are kept in lib/authFlows.ts.
  ["login", FLOW_PATHS.login],
  ["signup", FLOW_PATHS.signup],
  ["verify", FLOW_PATHS.verify_email],
  ["verify", `${FLOW_PATHS.verify_email}/:key`],
  ["reset", FLOW_PATHS.password_reset_by_code],
  ["reset", `${FLOW_PATHS.password_reset_by_code}/:key`],
  ["mfa", FLOW_PATHS.mfa_authenticate],
  ["pair", "/pair"],
  ["pair", "/pair/:code"],
  ["invite", "/invite"],
  ["invite", "/invite/:code"],
  ["newFamily", "/families/new"],
  ["family", "/families/:id"],
  ["flag", "/flag"],
  ["makeRight", "/make-right"],
  ["reflection", "/reflection"],
  ["safety", "/safety"],
  ["notes", "/notes"],
  ["rupture", "/ruptures/:id"],
  ["repairSteps", "/ruptures/:id/repair-steps"],
  ["repairSteps", "/ruptures/:id/repair-steps/:step"],
  ["history", "/history"],
  ["plans", "/plans"],
  ["inbox", "/inbox"],
  ["privacy", "/privacy"],
  ["account", "/account"],
  ["security", "/account/security"],
  ["therapistJoin", "/therapist/join"],
  ["careFamily", "/care/families/:id"],
  ["careSummary", "/care/families/:id/summary"],
  ["careRupture", "/care/families/:id/ruptures/:rupture"],
  ["safetyReviews", "/care/safety-reviews"],
  ["safetyReview", "/care/safety-reviews/:id"],
  ["carePreview", "/families/:id/care-team/:grant/preview"],
];

/** Screens anyone may open; the rest need a session. */
const PUBLIC = new Set(["login", "signup", "verify", "reset", "mfa", "pair", "notes", "privacy", "safety"]);
/** Screens for signed-out people: a signed-in visitor is sent home. */
const ANONYMOUS_ONLY = new Set(["login", "signup", "reset", "mfa"]);

function NotFound(): JSX.Element {
  return (
    <main id="main" class="screen" data-testid="screen-not-found">
      <h1>{t("shell.notFoundTitle")}</h1>
      <p>
        <a href={href("/")}>{t("shell.notFoundLink")}</a>
      </p>
    </main>
  );
}

function renderRoute(m: Match): JSX.Element {
  const p = m.params;
  switch (m.name) {
    case "home":
      return <Home />;
    case "login":
      return <Login />;
    case "signup":
      return <Signup therapist={m.query.has("therapist")} />;
    case "verify":
      return <VerifyEmail code={p["key"] ?? ""} />;
    case "reset":
      return <ResetPassword code={p["key"] ?? ""} />;
    case "mfa":
      return <MfaAuthenticate />;
    case "security":
      return <Security />;
    case "therapistJoin":
      return <TherapistJoin />;
    case "careFamily":
      return <CareFamily id={p["id"] ?? ""} />;
    case "careSummary":
      return <CareSummary id={p["id"] ?? ""} query={m.query} />;
    case "careRupture":
      return <CareRupture familyId={p["id"] ?? ""} id={p["rupture"] ?? ""} />;
    case "safetyReviews":
      return <SafetyReviewQueue />;
    case "safetyReview":
      return <SafetyReviewDetail id={p["id"] ?? ""} />;
    case "carePreview":
      return <CarePreview familyId={p["id"] ?? ""} grantId={p["grant"] ?? ""} />;
    case "pair":
      return <Pair code={p["code"] ?? ""} />;
    case "invite":
      return <Invite code={p["code"] ?? ""} />;
    case "newFamily":
      return <CreateFamily />;
    case "family":
      return <FamilySettings id={p["id"] ?? ""} />;
    case "flag":
      return <FlagFlow parent={m.query.get("parent")} family={m.query.get("family")} />;
    case "makeRight":
      return (
        <MakeRight
          child={m.query.get("child")}
          parent={m.query.get("parent")}
          family={m.query.get("family")}
          fromNudge={m.query.get("from") === "reflection"}
        />
      );
    case "reflection":
      return <ReflectionScreen />;
    case "safety":
      return <Safety />;
    case "notes":
      return <Notes />;
    case "rupture":
      return <RuptureDetail id={p["id"] ?? ""} />;
    case "repairSteps":
      return <RepairSteps id={p["id"] ?? ""} step={p["step"] ?? ""} />;
    case "history":
      return <History />;
    case "plans":
      return <Plans family={m.query.get("family")} child={m.query.get("child")} parent={m.query.get("parent")} />;
    case "inbox":
      return <Inbox />;
    case "privacy":
      return <Privacy />;
    case "account":
      return <Account />;
    default:
      return <NotFound />;
  }
}

function Header(): JSX.Element {
  const s = useAppState();
  const signedIn = s.auth === "authenticated";
  const waiting = myOutbox(s).filter((i) => !i.failed).length;
  return (
    <header class="app-header">
      <div class="bar">
        <a class="brand" href={href("/")} data-testid="home-link">
          <img src="/icons/icon-192.png" alt="" width="28" height="28" />
          <span>FamilyRepair</span>
        </a>
        {signedIn ? (
          <nav aria-label={t("shell.mainNav")}>
            <a href={href("/inbox")} data-testid="inbox-link">
              {t("shell.inbox")}
              {s.unread > 0 ? (
                <span class="badge" data-testid="inbox-badge">
                  {s.unread}
                  <span class="visually-hidden"> {t("shell.unread")}</span>
                </span>
              ) : null}
            </a>
            <a href={href("/account")} data-testid="settings-link">
              {t("shell.settings")}
            </a>
          </nav>
        ) : null}
      </div>
      {!s.online ? (
        <p class="banner banner-offline" data-testid="offline-banner">
          {t("shell.offline")}
        </p>
      ) : null}
      {waiting > 0 ? (
        <p class="banner" data-testid="outbox-banner">
          {t("shell.waiting", { count: waiting })}
        </p>
      ) : null}
      {s.updateReady ? (
        <p class="banner">
          {t("shell.updateReady")}{" "}
          <button type="button" class="link-button" data-testid="update-reload" onClick={s.updateReady}>
            {t("shell.reload")}
          </button>
        </p>
      ) : null}
      <div class="visually-hidden" role="status" aria-live="polite" data-testid="live-region">
        {s.announcement}
      </div>
    </header>
  );
}

export function App(): JSX.Element {
  const loc = useLocation();
  const s = useAppState();
  const m = match(ROUTES, loc);

  const needsLogin = Boolean(m) && s.auth === "anonymous" && !PUBLIC.has(m?.name ?? "") && m?.name !== "invite";
  useEffect(() => {
    if (needsLogin && loc.path !== "/" && s.afterLogin !== loc.path) setState({ afterLogin: loc.path });
  }, [needsLogin, loc.path]);

  useEffect(() => {
    if (!m) return;
    const pending = s.auth === "anonymous" ? blockingPath(s.pendingFlow) : null;
    if (pending && (m.name === "login" || m.name === "signup" || m.name === "home")) {
      navigate(pending, { replace: true });
    } else if (s.auth === "authenticated" && ANONYMOUS_ONLY.has(m.name)) {
      navigate("/", { replace: true });
    }
  }, [m?.name, s.auth, s.pendingFlow]);

  if (m?.name === "notes") return <Notes />;

  let body: JSX.Element;
  if (!m) {
    body = <NotFound />;
  } else if (s.auth === "loading" && !PUBLIC.has(m.name)) {
    body = (
      <main id="main" class="screen">
        <h1>FamilyRepair</h1>
        <Loading />
      </main>
    );
  } else if (needsLogin) {
    body = <Login />;
  } else {
    body = renderRoute(m);
  }
  // Keyed by language: a change of language redraws every screen in it.
  return (
    <Fragment key={s.locale}>
      <a
        class="skip-link"
        href="#main"
        onClick={(e) => {
          e.preventDefault();
          document.querySelector<HTMLElement>("#main h1")?.focus();
        }}
      >
        {t("shell.skip")}
      </a>
      <Header />
      {body}
    </Fragment>
  );
}
