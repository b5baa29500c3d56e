"""`make serve` as production runs it: gunicorn, production settings, hashed and
compressed static files, HTTPS behind a proxy. One server for the whole module."""

import re
import urllib.error
import urllib.request

import pytest

from tests.load.server import gunicorn, manage, production_env


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def fetch(url: str, **headers):
    opener = urllib.request.build_opener(NoRedirect)
    try:
        response = opener.open(urllib.request.Request(url, headers=headers), timeout=30)
    except urllib.error.HTTPError as error:
        response = error
    with response:
        return response.status, dict(response.headers), response.read()


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    workdir = tmp_path_factory.mktemp("serve")
    env = production_env(
        sqlite_path=str(workdir / "db.sqlite3"),
        DJANGO_STATIC_ROOT=str(workdir / "static"),
        DJANGO_SECURE_SSL_REDIRECT="1",
        DJANGO_SECURE_COOKIES="1",
    )
    manage(env, "collectstatic", "--noinput", "--verbosity", "0")
    manage(env, "migrate", "--noinput")
    with gunicorn(env, GUNICORN_WORKERS=1, GUNICORN_THREADS=2) as base:
        yield base


HTTPS = {"X-Forwarded-Proto": "https"}


def test_health_check_answers_over_plain_http(server):
    assert fetch(server + "/healthz")[::2] == (200, b"ok")


def test_plain_http_is_sent_to_https(server):
    status, headers, _ = fetch(server + "/accounts/login/")
    assert status == 301 and headers["Location"].startswith("https://")


def test_pages_behind_the_proxy_carry_the_security_headers(server):
    status, headers, body = fetch(server + "/accounts/login/", **HTTPS)
    assert status == 200
    assert "script-src 'self'" in headers["Content-Security-Policy"]
    assert headers["Strict-Transport-Security"].startswith("max-age=")
    assert headers["X-Frame-Options"] == "DENY"
    assert "secure" in headers["Set-Cookie"].lower()  # the CSRF cookie


def test_static_files_are_hashed_compressed_and_cached_for_long(server):
    _, _, body = fetch(server + "/accounts/login/", **HTTPS)
    css = re.search(rb'href="(/static/vendor/bootstrap/bootstrap\.min\.[0-9a-f]{12}\.css)"', body)
    assert css, "the page links the hashed file"
    status, headers, _ = fetch(
        server + css.group(1).decode(), **HTTPS, **{"Accept-Encoding": "gzip"}
    )
    assert status == 200
    assert headers["Content-Encoding"] == "gzip"
    assert "immutable" in headers["Cache-Control"]


def test_bootstrap_icons_font_is_found_through_its_css(server):
    _, _, body = fetch(server + "/accounts/login/", **HTTPS)
    css_url = re.search(rb'href="(/static/vendor/bootstrap-icons/[^"]+\.css)"', body).group(1)
    _, _, css = fetch(server + css_url.decode(), **HTTPS)
    font = re.search(rb'url\("?(fonts/bootstrap-icons\.[0-9a-f]{12}\.woff2)', css)
    assert font, "url() in the CSS points at the hashed font"
    base = css_url.decode().rsplit("/", 1)[0]
    assert fetch(f"{server}{base}/{font.group(1).decode()}", **HTTPS)[0] == 200


def test_unknown_page_is_the_russian_404(server):
    status, _, body = fetch(server + "/nothing-here/", **HTTPS)
    assert status == 404 and "Страница не найдена" in body.decode()
