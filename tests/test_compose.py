"""Cross-references in the deployment files that the compose JSON schema cannot check.

``check-jsonschema --builtin-schema vendor.compose-spec`` proves docker-compose.yml is well formed;
these tests prove its parts agree with each other, with ``.env.example``, with the variables
production settings require and with the Dockerfile. Each checker returns the problems it finds,
and is also run on a small broken example so a checker that finds nothing cannot pass unnoticed.
No database, no Docker engine.
"""

from __future__ import annotations

import ast
import re
import shlex
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import pytest
import yaml

REPO_ROOT = Path(__file__).resolve().parent.parent
COMPOSE_FILE = REPO_ROOT / "docker-compose.yml"
ENV_EXAMPLE = REPO_ROOT / ".env.example"
DOCKERFILE = REPO_ROOT / "Dockerfile"
# production.py star-imports base.py, so a variable base.py requires is required in production too.
PRODUCTION_SETTINGS = [
    REPO_ROOT / "familyrepair" / "settings" / "base.py",
    REPO_ROOT / "familyrepair" / "settings" / "production.py",
]
DJANGO_SERVICES = ("web", "worker", "beat")
ONE_SHOT_SERVICES = frozenset({"migrate"})
WSGI_APP = "familyrepair.wsgi:application"

Compose = dict[str, Any]


# --- Checkers -------------------------------------------------------------------------------------


def load_compose(path: Path = COMPOSE_FILE) -> Compose:
    data = yaml.safe_load(path.read_text())
    assert isinstance(data, dict), f"{path.name} is not a mapping"
    return data


def _services(compose: Compose) -> dict[str, dict[str, Any]]:
    services: dict[str, dict[str, Any]] = compose.get("services") or {}
    return services


def _depends_on(service: dict[str, Any]) -> dict[str, Any]:
    depends_on = service.get("depends_on") or {}
    if isinstance(depends_on, list):
        return dict.fromkeys(depends_on)
    return dict(depends_on)


def missing_depends_on_targets(compose: Compose) -> list[str]:
    services = _services(compose)
    return [
        f"{name} depends on unknown service {target!r}"
        for name, service in services.items()
        for target in _depends_on(service)
        if target not in services
    ]


def unconditioned_depends_on(compose: Compose) -> list[str]:
    """A bare ``depends_on`` only orders container starts; we want health and completion."""
    problems = []
    for name, service in _services(compose).items():
        for target, spec in _depends_on(service).items():
            if not isinstance(spec, dict) or "condition" not in spec:
                problems.append(f"{name} depends on {target} without a condition")
    return problems


def django_services_divergence(
    compose: Compose, names: tuple[str, ...] = DJANGO_SERVICES
) -> list[str]:
    """web, worker and beat must run one image built one way, with one env file."""
    services = _services(compose)
    problems = [f"service {name!r} is missing" for name in names if name not in services]
    present = [name for name in names if name in services]
    for key in ("build", "image", "env_file"):
        values = {name: services[name].get(key) for name in present}
        first = present[0] if present else None
        for name, value in values.items():
            if value is None:
                problems.append(f"{name} has no {key}")
            elif first is not None and value != values[first]:
                problems.append(f"{name} {key} {value!r} differs from {first}'s {values[first]!r}")
    return problems


def services_without_healthcheck(
    compose: Compose, one_shot: frozenset[str] = ONE_SHOT_SERVICES
) -> list[str]:
    problems = []
    for name, service in _services(compose).items():
        if name in one_shot:
            continue
        check = service.get("healthcheck")
        if not check or check.get("disable") or check.get("test") in (None, ["NONE"], "NONE"):
            problems.append(f"{name} has no healthcheck")
    return problems


def _named_volume_sources(service: dict[str, Any]) -> Iterator[str]:
    for mount in service.get("volumes") or []:
        if isinstance(mount, str):
            source = mount.split(":", 1)[0] if ":" in mount else ""
        elif mount.get("type", "volume") == "volume":
            source = mount.get("source") or ""
        else:
            continue
        # Bind mounts are paths; an anonymous volume has no source.
        if source and not source.startswith((".", "/", "~", "$")):
            yield source


def undeclared_volumes(compose: Compose) -> list[str]:
    declared = set(compose.get("volumes") or {})
    return [
        f"{name} mounts undeclared volume {source!r}"
        for name, service in _services(compose).items()
        for source in _named_volume_sources(service)
        if source not in declared
    ]


_INTERPOLATION = re.compile(r"\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)|\$([A-Za-z_][A-Za-z0-9_]*)")


def interpolated_variables(value: Any) -> set[str]:
    """Names compose substitutes from .env in every string value; ``$$`` is a literal dollar."""
    if isinstance(value, dict):
        return set().union(*(interpolated_variables(item) for item in value.values()))
    if isinstance(value, list):
        return set().union(*(interpolated_variables(item) for item in value))
    if isinstance(value, str):
        return {
            match.group(1) or match.group(2)
            for match in _INTERPOLATION.finditer(value)
            if match.group(0) != "$$"
        }
    return set()


def parse_env_file(text: str) -> tuple[dict[str, str], list[str]]:
    """``KEY=value`` lines as compose reads them; returns the values and the malformed lines."""
    values: dict[str, str] = {}
    problems = []
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        key, sep, value = line.partition("=")
        if not sep or not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", key):
            problems.append(f"line {number} is not KEY=value: {raw!r}")
            continue
        if key in values:
            problems.append(f"line {number} sets {key} a second time")
        values[key] = value
    return values, problems


# Where each django-environ reader takes its default when given positionally.
_DEFAULT_POSITION = {"list": 2, "tuple": 2, "dict": 2, "__call__": 2}


def required_env_variables(source: str) -> set[str]:
    """Variables read by ``env.<type>("X")`` or ``env("X")`` with no default: required at start."""
    required = set()
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.Call) or not node.args:
            continue
        func = node.func
        if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name):
            owner, method = func.value.id, func.attr
        elif isinstance(func, ast.Name):
            owner, method = func.id, "__call__"
        else:
            continue
        name = node.args[0]
        if owner != "env" or not isinstance(name, ast.Constant) or not isinstance(name.value, str):
            continue
        has_default = any(keyword.arg == "default" for keyword in node.keywords) or len(
            node.args
        ) > _DEFAULT_POSITION.get(method, 1)
        if not has_default:
            required.add(name.value)
    return required


def database_url_mismatches(env: dict[str, str]) -> list[str]:
    """The app's DATABASE_URL must name the database and role the postgres service creates."""
    url = urlsplit(env.get("DATABASE_URL", ""))
    expected = {
        "POSTGRES_USER": unquote(url.username or ""),
        "POSTGRES_PASSWORD": unquote(url.password or ""),
        "POSTGRES_DB": url.path.lstrip("/"),
    }
    problems = [
        f"DATABASE_URL has {key.removeprefix('POSTGRES_').lower()} {value!r}, "
        f"{key} is {env.get(key)!r}"
        for key, value in expected.items()
        if env.get(key) != value
    ]
    if url.scheme not in {"postgres", "postgresql"}:
        problems.append(f"DATABASE_URL scheme is {url.scheme!r}, not postgres")
    return problems


def placeholder_secrets(env: dict[str, str]) -> list[str]:
    """An example file holds placeholders; anything else under a secret's name looks real."""
    return [
        f"{key} looks like a real secret"
        for key, value in env.items()
        if re.search(r"SECRET|PASSWORD|PRIVATE_KEY", key) and value not in {"", "change-me"}
    ]


def final_stage_entry(dockerfile: str) -> str:
    """ENTRYPOINT and CMD of the last stage, continuation lines joined (what the image runs)."""
    joined = re.sub(r"\\\n", " ", dockerfile)
    entry = {"ENTRYPOINT": "", "CMD": ""}
    for line in joined.splitlines():
        instruction, _, rest = line.strip().partition(" ")
        keyword = instruction.upper()
        if keyword == "FROM":
            entry = {"ENTRYPOINT": "", "CMD": ""}
        elif keyword in entry:
            entry[keyword] = rest.strip()
    return f"{entry['ENTRYPOINT']} {entry['CMD']}".strip()


def web_command(compose: Compose) -> str:
    command = _services(compose).get("web", {}).get("command")
    if isinstance(command, list):
        return shlex.join(str(part) for part in command)
    return str(command or "")


# --- The real files -------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def compose() -> Compose:
    return load_compose()


@pytest.fixture(scope="module")
def env_example() -> dict[str, str]:
    values, problems = parse_env_file(ENV_EXAMPLE.read_text())
    assert problems == []
    return values


SCALED_SERVICES = ("web", "worker")


def unscalable_services(compose: Compose) -> list[str]:
    """``docker compose up --scale web=3 --scale worker=3`` fails on a fixed container name or a
    single fixed host port (the second replica cannot have it too)."""
    problems = []
    for name in SCALED_SERVICES:
        service = _services(compose).get(name) or {}
        if "container_name" in service:
            problems.append(f"{name} has a fixed container_name")
        for port in service.get("ports") or []:
            spec = str(port.get("published", "") if isinstance(port, dict) else port)
            published = spec.rsplit(":", 1)[0].rsplit(":", 1)[-1] if ":" in spec else ""
            if published and "-" not in published:
                problems.append(f"{name} publishes the single host port {published!r}")
    return problems


def test_web_and_workers_can_be_scaled(compose: Compose) -> None:
    assert unscalable_services(compose) == []


def test_unscalable_services_are_reported() -> None:
    broken = {
        "services": {
            "web": {"ports": ["127.0.0.1:8000:8000"]},
            "worker": {"container_name": "familyrepair-worker"},
        }
    }
    assert unscalable_services(broken) == [
        "web publishes the single host port '8000'",
        "worker has a fixed container_name",
    ]


def test_depends_on_targets_exist(compose: Compose) -> None:
    assert missing_depends_on_targets(compose) == []


def test_depends_on_waits_for_a_condition(compose: Compose) -> None:
    assert unconditioned_depends_on(compose) == []


def test_django_services_share_image_build_and_env_file(compose: Compose) -> None:
    assert django_services_divergence(compose) == []
    assert all(_services(compose)[name]["env_file"] == ".env" for name in DJANGO_SERVICES)


def test_django_services_wait_for_migrate_and_healthy_stores(compose: Compose) -> None:
    expected = {
        "migrate": {"condition": "service_completed_successfully"},
        "postgres": {"condition": "service_healthy"},
        "redis": {"condition": "service_healthy"},
    }
    for name in DJANGO_SERVICES:
        assert _depends_on(_services(compose)[name]) == expected, name


def test_long_running_services_have_healthchecks(compose: Compose) -> None:
    assert services_without_healthcheck(compose) == []


def test_mounted_volumes_are_declared(compose: Compose) -> None:
    assert undeclared_volumes(compose) == []
    assert set(compose["volumes"]) == {"postgres-data", "redis-data", "app-data"}


def test_env_example_defines_every_interpolated_variable(
    compose: Compose, env_example: dict[str, str]
) -> None:
    referenced = interpolated_variables(compose)
    assert {"POSTGRES_DB", "POSTGRES_USER", "POSTGRES_PASSWORD"} <= referenced
    assert sorted(referenced - env_example.keys()) == []


def test_env_example_defines_every_variable_production_requires(
    env_example: dict[str, str],
) -> None:
    required = set().union(*(required_env_variables(p.read_text()) for p in PRODUCTION_SETTINGS))
    assert {"SECRET_KEY", "DATABASE_URL"} <= required  # the parser still reads the settings
    assert sorted(required - env_example.keys()) == []


def test_env_example_is_production_with_matching_database(env_example: dict[str, str]) -> None:
    assert env_example["DJANGO_ENV"] == "production"
    assert database_url_mismatches(env_example) == []
    assert placeholder_secrets(env_example) == []


def test_image_runs_the_wsgi_application(compose: Compose) -> None:
    assert WSGI_APP in final_stage_entry(DOCKERFILE.read_text())
    # web may spell out its command, but then it must still serve the same application.
    assert web_command(compose) == "" or WSGI_APP in web_command(compose)


# --- The checkers catch what they are for ---------------------------------------------------------

BROKEN_COMPOSE: Compose = {
    "services": {
        "web": {
            "build": ".",
            "image": "app:1",
            "env_file": ".env",
            "depends_on": ["db"],
            "volumes": ["app-data:/app/data", "./src:/src", "/srv/logs:/logs", "cache:/cache"],
            "healthcheck": {"test": ["CMD", "true"]},
        },
        "worker": {
            "build": ".",
            "image": "app:2",
            "env_file": ".env.worker",
            "depends_on": {"redis": {"condition": "service_healthy"}},
            "volumes": [{"type": "volume", "source": "worker-data", "target": "/data"}],
            "healthcheck": {"disable": True},
        },
        "redis": {"image": "redis:7"},
        "migrate": {"build": ".", "image": "app:1"},
    },
    "volumes": {"app-data": None},
}


def test_missing_depends_on_targets_are_reported() -> None:
    assert missing_depends_on_targets(BROKEN_COMPOSE) == ["web depends on unknown service 'db'"]


def test_unconditioned_depends_on_is_reported() -> None:
    assert unconditioned_depends_on(BROKEN_COMPOSE) == ["web depends on db without a condition"]


def test_diverging_django_services_are_reported() -> None:
    assert django_services_divergence(BROKEN_COMPOSE) == [
        "service 'beat' is missing",
        "worker image 'app:2' differs from web's 'app:1'",
        "worker env_file '.env.worker' differs from web's '.env'",
    ]


def test_missing_healthchecks_are_reported() -> None:
    assert services_without_healthcheck(BROKEN_COMPOSE) == [
        "worker has no healthcheck",
        "redis has no healthcheck",
    ]


def test_undeclared_volumes_are_reported() -> None:
    assert undeclared_volumes(BROKEN_COMPOSE) == [
        "web mounts undeclared volume 'cache'",
        "worker mounts undeclared volume 'worker-data'",
    ]


def test_interpolated_variables_skip_escaped_dollars() -> None:
    value = {"a": ["${A:-x}", "$B and $$NOT_THIS", "${C:?set C}"], "b": "$$HOSTNAME", "c": 3}
    assert interpolated_variables(value) == {"A", "B", "C"}


def test_malformed_env_lines_are_reported() -> None:
    values, problems = parse_env_file("# comment\nA=1\nexport B=2\nnot a variable\nA=3\n")
    assert values == {"A": "3"}
    assert problems == [
        "line 3 is not KEY=value: 'export B=2'",
        "line 4 is not KEY=value: 'not a variable'",
        "line 5 sets A a second time",
    ]


def test_required_env_variables_ignore_those_with_defaults() -> None:
    source = """
SECRET = env.str("REQUIRED_STR")
HOSTS = env.list("REQUIRED_LIST")
DB = env.db_url("REQUIRED_DB")
RAW = env("REQUIRED_CALL")
PORT = env.int("OPTIONAL_POSITIONAL", 587)
NAMES = env.list("OPTIONAL_LIST", str, [])
CAST_ONLY = env.list("REQUIRED_CAST_ONLY", str)
DEBUG = env.bool("OPTIONAL_KEYWORD", default=False)
OTHER = os.environ.get("NOT_DJANGO_ENVIRON")
"""
    assert required_env_variables(source) == {
        "REQUIRED_STR",
        "REQUIRED_LIST",
        "REQUIRED_DB",
        "REQUIRED_CALL",
        "REQUIRED_CAST_ONLY",
    }


def test_database_url_mismatch_is_reported() -> None:
    env = {
        "DATABASE_URL": "mysql://app:secret@db:3306/other",
        "POSTGRES_USER": "app",
        "POSTGRES_PASSWORD": "change-me",
        "POSTGRES_DB": "familyrepair",
    }
    assert database_url_mismatches(env) == [
        "DATABASE_URL has password 'secret', POSTGRES_PASSWORD is 'change-me'",
        "DATABASE_URL has db 'other', POSTGRES_DB is 'familyrepair'",
        "DATABASE_URL scheme is 'mysql', not postgres",
    ]


def test_real_looking_secrets_are_reported() -> None:
    env = {
        "SECRET_KEY": "x8Fq-real",
        "EMAIL_HOST_PASSWORD": "change-me",
        "WEBPUSH_VAPID_PRIVATE_KEY": "",
    }
    assert placeholder_secrets(env) == ["SECRET_KEY looks like a real secret"]


def test_final_stage_entry_ignores_earlier_stages() -> None:
    dockerfile = (
        'FROM python:3.12-slim AS old\nCMD ["gunicorn", "familyrepair.wsgi:application"]\n'
        "FROM python:3.12-slim\n"
        'ENTRYPOINT ["tini", "--"]\nCMD ["gunicorn", \\\n     "other.wsgi:application"]\n'
    )
    assert (
        final_stage_entry(dockerfile)
        == '["tini", "--"] ["gunicorn",       "other.wsgi:application"]'
    )
    assert WSGI_APP not in final_stage_entry(dockerfile)


def test_django_services_trust_exactly_the_documented_proxy(
    compose: Compose, env_example: dict[str, str]
) -> None:
    """The TLS proxy in front of web is one hop: rate limits key on the address it appends."""
    for name in DJANGO_SERVICES:
        environment = _services(compose)[name]["environment"]
        assert environment["TRUSTED_PROXY_COUNT"] == "${TRUSTED_PROXY_COUNT:-1}", name
    assert env_example["TRUSTED_PROXY_COUNT"] == "1"
