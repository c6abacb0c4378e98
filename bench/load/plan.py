"""The links the load scenario follows, read from the pages themselves (bench/load/locustfile.py,
bench/load/run.py): the clerk's matters and steps, the leader's traces."""

from __future__ import annotations

import os
import re
from collections.abc import Callable

REGISTER = os.environ.get("FAZHI_BENCH_REGISTER", "reconsideration")


def clerk_links(get: Callable[[str], str]) -> dict[str, list[str]]:
    """The clerk's matters (the first page of the register's list) and the steps open on twenty of them."""
    listing = get(f"/r/{REGISTER}/")
    matters = sorted({f"/r/{REGISTER}/{pk}/" for pk in re.findall(rf'/r/{REGISTER}/(\d+)/"', listing)})
    steps: list[str] = []
    for path in matters[:20]:
        steps += [f"{path}do/{t}/" for t in re.findall(rf"{path}do/(\w+)/", get(path))]
    return {"matters": matters, "steps": steps}


def leader_links(get: Callable[[str], str]) -> dict[str, list[str]]:
    """The traces the leader's dashboard links."""
    dashboard = get("/zhibiao/")
    return {"traces": sorted({t.replace("&amp;", "&") for t in re.findall(r'href="(/zhibiao/[\w.]+/\?[^"]*)"', dashboard)})}


LINKS = {"clerk": clerk_links, "leader": leader_links}
