"""Submission week: deputy directors open and save their plans, reviewers list and
export. Run by `make loadtest` (tests/load/__main__.py), which seeds the accounts
(tests/load/seed.py) and passes their file in LOAD_ACCOUNTS.

The requests are the browser's: the row form is fetched and posted by htmx
(HX-Request, X-CSRFToken), with the plan version the page carries.
"""

import itertools
import json
import os
import random
import re
import time

from locust import FastHttpUser, between, constant, events, task

ACCOUNTS = json.load(open(os.environ["LOAD_ACCOUNTS"], encoding="utf-8"))
_deputies = itertools.cycle(ACCOUNTS["deputies"])
_reviewers = itertools.cycle(ACCOUNTS["reviewers"])
_codes = {account["username"]: iter(account["codes"]) for account in ACCOUNTS["reviewers"]}

VERSION = re.compile(r'id="plan-version" name="version" value="(\d+)"')
CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
CSRF_HEADER = re.compile(r'"X-CSRFToken": "([^"]+)"')

# Every request, for percentiles over groups of names (locust reports per name).
RESULTS: list[tuple[str, float, bool, float]] = []


@events.request.add_listener
def _record(request_type, name, response_time, response_length, exception, **kwargs):
    RESULTS.append((name, response_time, exception is None, time.time()))


@events.quitting.add_listener
def _dump(environment, **kwargs):
    path = os.environ.get("LOAD_RESULTS")
    if path:
        with open(path, "w", encoding="utf-8") as out:
            json.dump(RESULTS, out)


class SignedIn(FastHttpUser):
    abstract = True
    csrf = ""

    def sign_in(self, username: str) -> None:
        page = self.client.get("/accounts/login/", name="login page")
        token = CSRF_INPUT.search(page.text).group(1)
        with self.client.post(
            "/accounts/login/",
            data={
                "username": username,
                "password": ACCOUNTS["password"],
                "csrfmiddlewaretoken": token,
            },
            name="sign in",
            catch_response=True,
        ) as response:
            if "/second-factor/" not in response.url:
                self.signed_in(response)
                return
            response.success()  # the password is taken; the centre's code comes next
            token = CSRF_INPUT.search(response.text).group(1)
        # The centre's code page (accounts/middleware.py): one of the recovery codes the
        # seed gave the account (tests/load/seed.py), each spent once.
        with self.client.post(
            "/accounts/second-factor/code/",
            data={"code": next(_codes[username]), "csrfmiddlewaretoken": token},
            name="second factor",
            catch_response=True,
        ) as response:
            self.signed_in(response)

    def signed_in(self, response) -> None:
        # Followed redirect: the home page, with the header htmx sends back.
        found = CSRF_HEADER.search(response.text)
        if (
            response.status_code != 200
            or "/accounts/login/" in response.url
            or "/second-factor/" in response.url
            or not found
        ):
            response.failure(f"sign-in failed: {response.status_code}")
            return
        self.csrf = found.group(1)


class Deputy(SignedIn):
    """A deputy director filling in the school's plan."""

    weight = 4
    wait_time = between(1, 3)

    def on_start(self):
        self.account = next(_deputies)
        self.plan = self.account["plan"]
        self.version = None
        self.sign_in(self.account["username"])
        self.open_plan()

    @task(3)
    def open_plan(self):
        with self.client.get(f"/plans/{self.plan}/", name="plan page", catch_response=True) as page:
            found = VERSION.search(page.text or "")
            if page.status_code != 200 or not found:
                page.failure(f"plan page: {page.status_code}")
                return
            self.version = found.group(1)

    @task(1)
    def home(self):
        self.client.get("/", name="home page")

    @task(2)
    def save_row(self):
        if self.version is None:
            return
        row = random.choice(self.account["rows"])
        url = f"/plans/{self.plan}/rows/{row}/edit/"
        headers = {"HX-Request": "true", "X-CSRFToken": self.csrf, "Referer": self.host + url}
        self.client.get(url, headers=headers, name="row form")
        data = {
            "activity": f"Экскурсия на предприятие, правка {random.randint(1, 10**6)}",
            "period": "октябрь",
            "responsible": "Классные руководители 8–9 классов",
            "documents": "Методические рекомендации",
            "links": "https://bvbinfo.ru/",
            "results": "Проведено, отчёт размещён на сайте школы",
            "version": self.version,
        }
        with self.client.post(
            url, data=data, headers=headers, name="row save", catch_response=True
        ) as response:
            if response.status_code != 200:
                response.failure(f"row save: {response.status_code}")
                return
            trigger = json.loads(response.headers.get("HX-Trigger", "{}"))
            self.version = str(trigger.get("planChanged", {}).get("version", self.version))


class Reviewer(SignedIn):
    """Regional centre staff: the admin's list of plans and Excel exports."""

    weight = 1
    wait_time = between(2, 5)

    def on_start(self):
        self.sign_in(next(_reviewers)["username"])

    @task(3)
    def list_plans(self):
        self.client.get("/admin/plans/plan/", name="admin plan list")

    @task(1)
    def export_xlsx(self):
        plan = random.choice(ACCOUNTS["deputies"])["plan"]
        url = f"/plans/{plan}/export.xlsx"
        # «Сформировать»: only a POST asks for a file (a GET never queues a render).
        headers = {"X-CSRFToken": self.csrf, "Referer": self.host + url}
        self.client.post(url, headers=headers, name="export xlsx")


# --- load_ratio: the same closed loop, no think time, against two views ---------


class PlanPageOnly(SignedIn):
    wait_time = constant(0)

    def on_start(self):
        self.account = next(_deputies)
        self.sign_in(self.account["username"])

    @task
    def plan_page(self):
        self.client.get(f"/plans/{self.account['plan']}/", name="plan page")


class TrivialOnly(SignedIn):
    """The trivial view of a signed-in user: GET /session/ reads the session and the
    user and renders a one-line template, writing nothing (profplan.views.session_status).
    The plan page is compared with this one."""

    wait_time = constant(0)

    def on_start(self):
        self.sign_in(next(_deputies)["username"])

    @task
    def session_page(self):
        self.client.get("/session/", name="session page")


class HealthzOnly(FastHttpUser):
    """/healthz: no session, no user, one SELECT 1. Reported beside load_ratio."""

    wait_time = constant(0)

    @task
    def healthz(self):
        self.client.get("/healthz", name="healthz")
