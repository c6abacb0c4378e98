"""Time the leader's dashboard in headless Chromium (issue 6: it must open in under a second).

Against a running platform with the demo district (scripts/run, or `FAZHI_DEMO=1 manage.py runserver`):

    .venv/bin/python bench/dashboard_browser.py http://127.0.0.1:8000 office fazhi-demo-2026 [--year 2025] [--runs 5]

Measures, per run, from navigation start to the chart drawn (ECharts served locally), and the
server's share (time to the HTML's last byte). Prints machine, date and figures.
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import statistics
import time

from playwright.sync_api import sync_playwright


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("base")
    parser.add_argument("username")
    parser.add_argument("password")
    parser.add_argument("--year", type=int, default=2025)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    chromium = shutil.which("chromium") or "/usr/bin/chromium"
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"])
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.goto(f"{args.base}/login/")
        page.fill("#id_username", args.username)
        page.fill("#id_password", args.password)
        page.click("button[type=submit]")
        page.wait_for_selector("h1")
        totals, server = [], []
        for i in range(args.runs + 1):
            t0 = time.perf_counter()
            page.goto(f"{args.base}/zhibiao/?year={args.year}")
            page.wait_for_selector("#trend-chart[data-rendered='1'] canvas")
            total = time.perf_counter() - t0
            response_end = page.evaluate("performance.getEntriesByType('navigation')[0].responseEnd")
            if i:  # the first run warms the browser cache (ECharts, Bootstrap)
                totals.append(total)
                server.append(response_end / 1000)
        browser.close()
    with open("/proc/cpuinfo") as f:
        cpu = next((line.split(":", 1)[1].strip() for line in f if line.startswith("model name")), platform.processor())
    print(f"== dashboard in headless Chromium: {args.base}/zhibiao/?year={args.year} as {args.username} ==")
    print(f"date: {time.strftime('%Y-%m-%d')}  machine: {os.cpu_count()} vCPU {cpu}  runs: {args.runs} (after one warm-up)")
    print(f"navigation to chart drawn: best {min(totals):.3f} s  median {statistics.median(totals):.3f} s")
    print(f"of which the HTML (server): median {statistics.median(server):.3f} s")


if __name__ == "__main__":
    main()
