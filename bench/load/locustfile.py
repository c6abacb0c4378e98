"""Load scenario of the pages users wait for (issue 24, part 1), run by bench/load/run.sh.

Three sessions against the production server (gunicorn, loopback only):

- a clerk (行政复议办公室's ``clerk``): the register list, a search, a matter page, a step's form (GET);
- a leader (``leader``, 区长): the home / to-do page, the dashboard ``/zhibiao/``, a trace page;
- a citizen (no login): the portal's request page, the public enforcement decisions, the tracking
  lookup page (GET only: portal applications are rate-limited and never posted here);

and the login page (GET) in the same run as the floor: the cheapest page the server renders.

Pages are named by what they are (``name=``), not by their URLs, so that the summary groups them.
The links a session follows (a matter, a step, a trace) are read from the pages themselves.
"""

from __future__ import annotations

import json
import os
import random
import re
from typing import Any

from locust import HttpUser, between, constant, tag, task
from plan import LINKS, REGISTER

PASSWORD = os.environ.get("FAZHI_BENCH_PASSWORD", "fazhi-demo-2026")
# 0 (the default): each simulated user sends its next request as soon as the last one is answered
# (a saturated server: the req/s is the throughput); FAZHI_BENCH_WAIT=0.1,0.5 gives think time.
_wait = [float(x) for x in os.environ.get("FAZHI_BENCH_WAIT", "0").split(",")]
WAIT = between(_wait[0], _wait[1]) if len(_wait) == 2 else constant(_wait[0])
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def _login(user: HttpUser, username: str) -> None:
    page = user.client.get("/login/", name="setup: login page")
    token = CSRF.search(page.text)
    assert token, "no CSRF token on the login page"
    r = user.client.post(
        "/login/",
        {"username": username, "password": PASSWORD, "csrfmiddlewaretoken": token.group(1)},
        headers={"Referer": user.host + "/login/"},
        name="setup: login (POST)",
        allow_redirects=False,
    )
    if r.status_code != 302:
        raise RuntimeError(f"login of {username} failed: HTTP {r.status_code}")


# What run.py prepared before the timed part (the sessions, the links a user follows): a login
# (a deliberately slow password hash) and the discovery are not what is measured. Without it (locust
# run by hand) each simulated user logs in and reads its links in on_start.
PLAN: dict[str, Any] = json.loads(os.environ.get("FAZHI_BENCH_PLAN", "{}"))


def _links(user: HttpUser, role: str) -> dict[str, list[str]]:
    if role in PLAN:
        user.client.cookies.set("sessionid", PLAN[role]["session"])
        return dict(PLAN[role]["links"])
    _login(user, PLAN_USERS[role])
    return LINKS[role](lambda path: str(user.client.get(path, name=f"setup: {path}").text))


PLAN_USERS = {"clerk": os.environ.get("FAZHI_BENCH_CLERK", "clerk"), "leader": os.environ.get("FAZHI_BENCH_LEADER", "leader")}


class Clerk(HttpUser):
    weight = 3
    wait_time = WAIT

    def on_start(self) -> None:
        links = _links(self, "clerk")
        self.matters, self.steps = links["matters"], links["steps"]
        assert self.matters, "the clerk sees no matter"

    @tag("list")
    @task(3)
    def register_list(self) -> None:
        self.client.get(f"/r/{REGISTER}/", name="register list")

    @tag("search")
    @task(2)
    def search(self) -> None:
        self.client.get(f"/r/{REGISTER}/", params={"q": random.choice(["2025", "复议", "市场", "张"])}, name="register search")

    @tag("matter")
    @task(3)
    def matter(self) -> None:
        self.client.get(random.choice(self.matters), name="matter page")

    @tag("step")
    @task(1)
    def step_form(self) -> None:
        if self.steps:
            self.client.get(random.choice(self.steps), name="step form (GET)")


class Leader(HttpUser):
    weight = 3
    wait_time = WAIT

    def on_start(self) -> None:
        self.traces = _links(self, "leader")["traces"]
        assert self.traces, "the dashboard links no trace"

    @tag("home")
    @task(3)
    def home(self) -> None:
        self.client.get("/", name="home / to-do")

    @tag("dashboard")
    @task(2)
    def dashboard(self) -> None:
        self.client.get("/zhibiao/", name="dashboard /zhibiao/")

    @tag("trace")
    @task(2)
    def trace(self) -> None:
        self.client.get(random.choice(self.traces), name="trace page")


class Citizen(HttpUser):
    weight = 2
    wait_time = WAIT

    @tag("portal")
    @task(1)
    def portal(self) -> None:
        self.client.get("/gongkai/", name="portal: request page")

    @tag("enforcement")
    @task(1)
    def enforcement(self) -> None:
        self.client.get("/gongshi/zhifa/", name="portal: enforcement decisions")

    @tag("tracking")
    @task(1)
    def tracking(self) -> None:
        self.client.get("/gongkai/chaxun/", name="portal: tracking lookup")


class Floor(HttpUser):
    """The login page alone: the floor the other pages are compared with, in the same run."""

    weight = 1
    wait_time = WAIT

    @tag("login")
    @task
    def login_page(self) -> None:
        self.client.get("/login/", name="login page")
