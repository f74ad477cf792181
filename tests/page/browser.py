#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""browser.py - loads pop3_exporter's status page in headless Chromium and
checks what the browser rendered, not the HTML text: every scheduled
target with its state, history, phase bars and links (which are fetched),
a legend naming every colour the bars use, the targets before the /probe
calls, markup from a server shown as text, no script and no external
asset, no horizontal overflow at 390 px, no console error, and the page
reloading itself. Screenshots at 1280 and 390 px go to --shots.

Chromium is driven over its DevTools protocol on a pipe
(--remote-debugging-pipe: JSON messages ending in NUL on file
descriptors 3 and 4), so nothing but Python's standard library and
Debian's chromium is needed.

Prints "ok"/"ko" lines; writes "page PASSED FAILED" to --results; exits 1
on any failure."""
import argparse
import base64
import fcntl
import json
import os
import select
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request

PASSED = 0
FAILED = 0


def ok(what):
    global PASSED
    PASSED += 1
    print("ok   " + what, flush=True)


def ko(what, detail=""):
    global FAILED
    FAILED += 1
    print("FAIL " + what, flush=True)
    if detail:
        for line in str(detail).splitlines()[:20]:
            print("     " + line, flush=True)


def check(cond, what, detail=""):
    if cond:
        ok(what)
    else:
        ko(what, detail)
    return cond


class Chromium:
    """One headless Chromium, one page, commands answered in order."""

    def __init__(self, binary, profile):
        to_chrome_r, self.to_chrome = os.pipe()
        self.from_chrome, from_chrome_w = os.pipe()

        def fds():
            # Duplicated above 10 first: dup2 onto the same number would
            # keep the close-on-exec flag of Python's pipes.
            a = fcntl.fcntl(to_chrome_r, fcntl.F_DUPFD, 10)
            b = fcntl.fcntl(from_chrome_w, fcntl.F_DUPFD, 10)
            os.dup2(a, 3)
            os.dup2(b, 4)

        args = [binary, "--headless", "--no-sandbox", "--disable-gpu",
                "--remote-debugging-pipe", "--user-data-dir=" + profile,
                "--no-first-run", "--no-default-browser-check",
                "--disable-extensions", "--disable-background-networking",
                "--disable-component-update", "--disable-sync",
                "--disable-dev-shm-usage", "--hide-scrollbars",
                "about:blank"]
        self.proc = subprocess.Popen(args, preexec_fn=fds, close_fds=False,
                                     stdout=subprocess.DEVNULL,
                                     stderr=open(os.path.join(profile, "stderr"), "w"))
        os.close(to_chrome_r)
        os.close(from_chrome_w)
        self.buf = b""
        self.next_id = 0
        self.events = []
        self.session = None

    def send(self, method, params=None, session=True, timeout=30):
        self.next_id += 1
        msg = {"id": self.next_id, "method": method, "params": params or {}}
        if session and self.session:
            msg["sessionId"] = self.session
        os.write(self.to_chrome, json.dumps(msg).encode() + b"\0")
        deadline = time.monotonic() + timeout
        while True:
            m = self.read(deadline)
            if m is None:
                raise TimeoutError(method + ": no answer from Chromium")
            if m.get("id") == self.next_id:
                if "error" in m:
                    raise RuntimeError(method + ": " + json.dumps(m["error"]))
                return m.get("result", {})
            self.events.append(m)

    def read(self, deadline):
        while b"\0" not in self.buf:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([self.from_chrome], [], [], left)[0]:
                return None
            chunk = os.read(self.from_chrome, 1 << 20)
            if not chunk:
                raise RuntimeError("Chromium closed its pipe (crashed?)")
            self.buf += chunk
        raw, self.buf = self.buf.split(b"\0", 1)
        return json.loads(raw)

    def wait_event(self, method, timeout):
        """The first queued or new event called method, or None."""
        for i, m in enumerate(self.events):
            if m.get("method") == method:
                return self.events.pop(i)
        deadline = time.monotonic() + timeout
        while True:
            m = self.read(deadline)
            if m is None:
                return None
            if m.get("method") == method:
                return m
            self.events.append(m)

    def open_page(self):
        target = self.send("Target.createTarget", {"url": "about:blank"},
                           session=False)["targetId"]
        self.session = self.send("Target.attachToTarget",
                                 {"targetId": target, "flatten": True},
                                 session=False)["sessionId"]
        for domain in ("Page", "Runtime", "Log"):
            self.send(domain + ".enable")

    def load(self, url, width, mobile):
        self.send("Emulation.setDeviceMetricsOverride",
                  {"width": width, "height": 900, "deviceScaleFactor": 1,
                   "mobile": mobile})
        self.events = [m for m in self.events
                       if m.get("method") != "Page.loadEventFired"]
        self.send("Page.navigate", {"url": url})
        return self.wait_event("Page.loadEventFired", 30) is not None

    def evaluate(self, expression):
        r = self.send("Runtime.evaluate",
                      {"expression": expression, "returnByValue": True})
        if "exceptionDetails" in r:
            raise RuntimeError(json.dumps(r["exceptionDetails"])[:500])
        return r["result"].get("value")

    def screenshot(self, path):
        data = self.send("Page.captureScreenshot",
                         {"format": "png", "captureBeyondViewport": True})
        with open(path, "wb") as f:
            f.write(base64.b64decode(data["data"]))

    def problems(self):
        """Console errors, uncaught exceptions, dialogs seen so far."""
        out = []
        for m in self.events:
            method, p = m.get("method"), m.get("params", {})
            if method == "Runtime.consoleAPICalled" and p.get("type") in ("error", "assert"):
                out.append("console.%s: %s" % (p["type"], json.dumps(p.get("args"))[:300]))
            elif method == "Runtime.exceptionThrown":
                out.append("exception: " + json.dumps(p)[:300])
            elif method == "Log.entryAdded" and p.get("entry", {}).get("level") == "error":
                e = p["entry"]
                out.append("log: %s %s" % (e.get("text"), e.get("url", "")))
            elif method == "Page.javascriptDialogOpening":
                out.append("dialog: " + p.get("message", ""))
        return out

    def close(self):
        try:
            self.send("Browser.close", session=False, timeout=5)
        except (TimeoutError, RuntimeError, OSError):
            pass
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


# What the page holds, as the browser laid it out.
SNAPSHOT = r"""(() => {
  const text = e => e ? e.textContent : null;
  const row = tr => ({
    name: tr.dataset.target, state: tr.dataset.state,
    badge: text(tr.querySelector('.state')),
    host: text(tr.querySelector('.host')),
    bars: [...tr.querySelectorAll('.bar span')].map(s => s.dataset.phase),
    points: tr.querySelectorAll('svg.hist g.point').length,
    pointStates: [...tr.querySelectorAll('svg.hist g.point')].map(g => g.dataset.state),
    delivery: tr.querySelectorAll('svg.hist rect.delivery').length,
    tripText: text(tr.querySelector('.trip')),
    why: text(tr.querySelector('.why')),
    whyElements: tr.querySelector('.why') ? tr.querySelector('.why').children.length : -1,
    since: (tr.querySelector('[data-label=since] time') || {getAttribute: () => null}).getAttribute('datetime'),
    ago: text(tr.querySelector('[data-label=since] .ago')),
    links: [...tr.querySelectorAll('a')].map(a => ({cls: a.className, href: a.href})),
    visible: tr.getBoundingClientRect().height > 0,
  });
  const colour = e => e ? getComputedStyle(e).backgroundColor : null;
  const top = sel => { const e = document.querySelector(sel); return e ? e.getBoundingClientRect().top : null; };
  let right = 0, wideOne = '';
  for (const e of document.querySelectorAll('body *')) {
    const r = e.getBoundingClientRect();
    if (r.width > 0 && r.right > right) { right = r.right; wideOne = e.tagName + '.' + e.className; }
  }
  return {
    targets: [...document.querySelectorAll('#targets tr.target')].map(row),
    probes: [...document.querySelectorAll('#recent tr.probe')].map(tr => ({
      state: tr.dataset.state, bars: tr.querySelectorAll('.bar span').length,
      links: [...tr.querySelectorAll('a')].map(a => ({cls: a.className, href: a.href}))})),
    legend: Object.fromEntries([...document.querySelectorAll('#legend li[data-phase]')]
      .map(li => [li.dataset.phase, colour(li.querySelector('.sw'))])),
    legendStates: [...document.querySelectorAll('#legend li[data-state]')].map(li => li.dataset.state),
    barColours: [...document.querySelectorAll('.bar span')].map(s => [s.dataset.phase, colour(s)]),
    targetsTop: top('#targets'), recentTop: top('#recent'),
    scrollWidth: document.documentElement.scrollWidth,
    innerWidth: window.innerWidth,
    right: right, wideOne: wideOne,
    scripts: document.querySelectorAll('script, [onerror], [onload], [onclick]').length,
    imgs: document.querySelectorAll('img, iframe, object, embed, [src]').length,
    external: [...document.querySelectorAll('[src], link[href]')].map(e => String(e.src || e.href || e.getAttribute('src') || e.getAttribute('href')))
      .filter(u => !u.startsWith('data:')),
    refresh: (document.querySelector('meta[http-equiv=refresh]') || {content: ''}).content,
  };
})()"""


def fetch(url):
    try:
        with urllib.request.urlopen(url, timeout=10) as r:
            return r.status, r.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode("utf-8", "replace")


def check_targets(snap, expect, trip, hostile, width):
    rows = {t["name"]: t for t in snap["targets"]}
    check(sorted(rows) == sorted(expect) and len(snap["targets"]) == len(expect),
          "%d px: every scheduled target is on the page, once" % width,
          "page: %s, config: %s" % ([t["name"] for t in snap["targets"]], sorted(expect)))
    for name, state in expect.items():
        t = rows.get(name)
        if t is None:
            continue
        check(t["state"] == state and t["badge"] == state and t["visible"],
              "%d px: %s shows %s" % (width, name, state),
              "data-state %s, badge %r" % (t["state"], t["badge"]))
        check(t["since"] and t["ago"] and ("ago" in t["ago"] or "just now" in t["ago"]),
              "%d px: %s says since when and how long ago" % (width, name),
              "since %r %r" % (t["since"], t["ago"]))
        check(len(t["bars"]) >= 1 and t["points"] >= 3 and t["pointStates"][-1] == state,
              "%d px: %s has the phase bars of its last probe and a history" % (width, name),
              "bars %s, %d points %s" % (t["bars"], t["points"], t["pointStates"]))
        if state != "OK":
            check(t["why"] and t["why"] != "\u2014",
                  "%d px: %s says why in words: %s" % (width, name, (t["why"] or "")[:80]),
                  "why %r" % t["why"])
        kinds = sorted(a["cls"] for a in t["links"])
        check(kinds == ["log", "transcript"],
              "%d px: %s links to its log and its transcript" % (width, name), kinds)
    t = rows.get(trip)
    if t is not None:
        check(t["delivery"] >= 1 and t["tripText"] and "delivery" in t["tripText"],
              "%d px: the round trip %s shows its delivery time, in its history too" % (width, trip),
              "delivery parts %d, text %r" % (t["delivery"], t["tripText"]))
    t = rows.get(hostile)
    if t is not None:
        check("<script>alert(1)</script>" in (t["why"] or "") and "<img" in t["why"] and
              t["whyElements"] == 0,
              "%d px: a server's markup is shown as text: %s" % (width, (t["why"] or "")[:70]),
              t["why"])
    check(snap["scripts"] == 0 and snap["imgs"] == 0,
          "%d px: no script and no image in the document (escaped, works without JS)" % width,
          "%d script or handler, %d with a source" % (snap["scripts"], snap["imgs"]))


def check_links(snap, want_probes, mute):
    """Each link answers; a transcript holds only protocol lines, the
    server's among them unless it never spoke (mute)."""
    links = [(a["href"], t["name"]) for t in snap["targets"] for a in t["links"]]
    links += [(a["href"], None) for p in snap["probes"] for a in p["links"]]
    bad = []
    for url, name in links:
        status, body = fetch(url)
        first = body.split("\n", 1)[0]
        want = "Transcript of " if "view=transcript" in url else "Log of "
        if status != 200 or not first.startswith(want):
            bad.append("%s: %d %s" % (url, status, first[:80]))
        elif want == "Log of " and "state: " not in body:
            bad.append("%s: no state line" % url)
        elif want == "Transcript of " and "\n* " in body:
            bad.append("%s: a line that is not the protocol's" % url)
        elif want == "Transcript of " and ("\nS: " in body) == (name in mute):
            bad.append("%s: %s" % (url, "a server line from a server that never spoke"
                                   if name in mute else "no server line"))
    check(links and not bad, "every log and transcript link resolves (%d links)" % len(links),
          "\n".join(bad))
    check(len(snap["probes"]) >= want_probes and all(p["bars"] >= 1 for p in snap["probes"]),
          "the recent /probe calls are listed with their bars (%d)" % len(snap["probes"]),
          snap["probes"])
    check(snap["targetsTop"] is not None and snap["recentTop"] is not None and
          snap["targetsTop"] < snap["recentTop"],
          "the scheduled targets come before the /probe calls",
          "targets at %s px, probes at %s px" % (snap["targetsTop"], snap["recentTop"]))


def check_legend(snap):
    missing = sorted({p for p, c in snap["barColours"] if snap["legend"].get(p) != c})
    used = sorted({p for p, _ in snap["barColours"]})
    check(used and not missing,
          "the legend names every colour the bars use (%s)" % " ".join(used),
          "not in the legend or another colour there: %s" % missing)
    colours = list(snap["legend"].values())
    check(len(set(colours)) == len(colours), "each phase has a colour of its own",
          snap["legend"])
    check(snap["legendStates"] == ["OK", "WARNING", "CRITICAL", "UNKNOWN"],
          "the legend names the history's state colours", snap["legendStates"])
    check(not snap["external"], "no external asset", snap["external"])


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--url", required=True)
    ap.add_argument("--shots", required=True)
    ap.add_argument("--results", required=True)
    ap.add_argument("--expect", nargs="+", required=True, help="NAME=STATE")
    ap.add_argument("--trip", required=True)
    ap.add_argument("--hostile", required=True)
    ap.add_argument("--mute", nargs="+", default=[],
                    help="targets whose server never says a word")
    ap.add_argument("--probes", type=int, required=True)
    a = ap.parse_args()
    expect = dict(e.split("=", 1) for e in a.expect)
    binary = shutil.which("chromium")
    profile = tempfile.mkdtemp(prefix="pop3check-chromium.")
    b = None
    try:
        b = Chromium(binary, profile)
        b.open_page()
        snaps = {}
        for width, mobile in ((1280, False), (390, True)):
            if not check(b.load(a.url, width, mobile), "%d px: the page loads" % width):
                continue
            snap = b.evaluate(SNAPSHOT)
            snaps[width] = snap
            path = os.path.join(a.shots, "status-%d.png" % width)
            b.screenshot(path)
            with open(path, "rb") as f:
                check(f.read(8) == b"\x89PNG\r\n\x1a\n", "%d px: screenshot %s" % (width, path))
            check_targets(snap, expect, a.trip, a.hostile, width)
            check(snap["scrollWidth"] <= snap["innerWidth"] and snap["right"] <= snap["innerWidth"] + 0.5,
                  "%d px: nothing wider than the window (no horizontal scroll)" % width,
                  "document %s px, widest element ends at %.1f px (%s), window %s px"
                  % (snap["scrollWidth"], snap["right"], snap["wideOne"], snap["innerWidth"]))
        if 1280 in snaps:
            check_links(snaps[1280], a.probes, a.mute)
            check_legend(snaps[1280])
            refresh = snaps[1280]["refresh"]
            secs = int(refresh) if refresh.isdigit() else 0
            # The page reloads itself: a second load without being asked.
            b.events = [m for m in b.events if m.get("method") != "Page.loadEventFired"]
            check(secs > 0 and b.wait_event("Page.loadEventFired", secs + 10) is not None,
                  "the page reloads itself (every %d s)" % secs, "meta refresh %r" % refresh)
        # With JavaScript off the page is the same: it never needed it.
        b.send("Emulation.setScriptExecutionDisabled", {"value": True})
        if b.load(a.url, 1280, False):
            n = b.evaluate("document.querySelectorAll('#targets tr.target .state').length")
            check(n == len(expect), "with JavaScript off every target is there with its state",
                  "%r targets" % n)
        problems = b.problems()
        check(not problems, "no console error, exception or dialog", "\n".join(problems))
    except (RuntimeError, TimeoutError, OSError) as e:
        ko("the browser: %s" % e)
        try:
            with open(os.path.join(profile, "stderr")) as f:
                print(f.read()[-2000:])
        except OSError:
            pass
    finally:
        if b is not None:
            b.close()
        shutil.rmtree(profile, ignore_errors=True)
    with open(a.results, "w") as f:
        f.write("page %d %d\n" % (PASSED, FAILED))
    print("page: %d passed, %d failed" % (PASSED, FAILED))
    return 0 if FAILED == 0 and PASSED > 0 else 1


if __name__ == "__main__":
    sys.exit(main())
