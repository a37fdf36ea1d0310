"""``manage.py generate_vapid_keys``: env lines whose keys pywebpush signs with and a push service
accepts (checked against the local push service, not by trusting the encoding)."""

from __future__ import annotations

import io
import json
import stat
from pathlib import Path

from django.core.management import call_command
from pywebpush import webpush

from tests.support.push_server import PushServer, b64url_decode


def run(*args: str) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("generate_vapid_keys", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def parse(text: str) -> dict[str, str]:
    return dict(
        line.split("=", 1) for line in text.splitlines() if line and not line.startswith("#")
    )


def test_it_prints_a_public_and_a_private_key_line() -> None:
    out, _ = run()

    keys = parse(out)
    assert list(keys) == ["WEBPUSH_VAPID_PUBLIC_KEY", "WEBPUSH_VAPID_PRIVATE_KEY"]
    public = b64url_decode(keys["WEBPUSH_VAPID_PUBLIC_KEY"])
    private = b64url_decode(keys["WEBPUSH_VAPID_PRIVATE_KEY"])
    assert (len(public), public[0], len(private)) == (65, 0x04, 32)  # uncompressed point, scalar
    assert "=" not in keys["WEBPUSH_VAPID_PUBLIC_KEY"]  # base64url without padding
    assert parse(run()[0]) != keys  # a new pair each time


def test_the_keys_sign_a_push_the_push_service_accepts() -> None:
    keys = parse(run()[0])
    with PushServer(vapid_public_key=keys["WEBPUSH_VAPID_PUBLIC_KEY"]) as server:
        browser = server.subscribe()
        webpush(
            subscription_info=browser.info,
            data=json.dumps({"title": "hello"}),
            vapid_private_key=keys["WEBPUSH_VAPID_PRIVATE_KEY"],
            vapid_claims={"sub": "mailto:keys@familyrepair.localhost"},
            timeout=5,
        )

        [push] = server.delivered(browser)
        assert push.payload == {"title": "hello"}
        assert server.refused() == []


def test_write_creates_a_private_env_file(tmp_path: Path) -> None:
    target = tmp_path / "vapid.env"

    out, _ = run("--write", str(target))

    assert str(target) in out
    assert "PRIVATE_KEY=" not in out  # the secret goes to the file only
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    keys = parse(target.read_text())
    assert list(keys) == ["WEBPUSH_VAPID_PUBLIC_KEY", "WEBPUSH_VAPID_PRIVATE_KEY"]
    assert len(b64url_decode(keys["WEBPUSH_VAPID_PRIVATE_KEY"])) == 32


def test_write_leaves_an_existing_file_alone(tmp_path: Path) -> None:
    target = tmp_path / ".env"
    target.write_text("WEBPUSH_VAPID_PUBLIC_KEY=kept\nWEBPUSH_VAPID_PRIVATE_KEY=kept\n")

    out, err = run("--write", str(target))

    assert out == ""
    assert "left as it is" in err
    assert target.read_text() == "WEBPUSH_VAPID_PUBLIC_KEY=kept\nWEBPUSH_VAPID_PRIVATE_KEY=kept\n"
