#!/usr/bin/env python3
"""Session statistics used to calibrate `segue simulate` against real Spotify extended histories.

Both sides are reduced to the same play records (start, end, ms_played, how the play ended, how it
started) and sessionised the same way (a new session after more than 30 minutes between one play's end
and the next play's start), so the figures in docs/data.md ("Simulator calibration") are comparable.

  real:      scripts/sim_calibration.py real ../shared/data/spotify-history/extended/listener-b ...
  simulated: scripts/sim_calibration.py sim events.ndjson
Add --json for one JSON object.
"""
import argparse
import glob
import json
import os
import statistics
import sys
from datetime import datetime, timezone

GAP_MS = 30 * 60 * 1000
SKIP_REASONS = {"fwdbtn", "backbtn", "endplay"}
# How the last play of a session ended, in words shared by both sides.
#   completed: played to its end; skipped: left by next/back/another choice;
#   exited: playback stopped while playing (logout / exit); abandoned: app closed while paused.
REAL_END = {"trackdone": "completed", "fwdbtn": "skipped", "backbtn": "skipped", "endplay": "skipped",
            "logout": "exited", "unexpected-exit": "exited", "remote": "exited",
            "unexpected-exit-while-paused": "abandoned"}


def parse_ts(s):
    return int(datetime.strptime(s, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=timezone.utc).timestamp() * 1000)


def real_plays(paths):
    files = []
    for p in paths:
        files += sorted(glob.glob(os.path.join(p, "*.json"))) if os.path.isdir(p) else [p]
    plays = []
    for f in files:
        for r in json.load(open(f, encoding="utf-8")):
            if not r.get("spotify_track_uri"):
                continue  # podcasts and unresolvable rows
            end = parse_ts(r["ts"])
            ms = int(r["ms_played"])
            plays.append({"start": end - ms, "end": end, "ms": ms,
                          "end_kind": REAL_END.get(r["reason_end"] or "", "other"),
                          "search": r["reason_start"] == "clickrow"})
    plays.sort(key=lambda p: p["start"])
    return plays


def sim_plays(path):
    """Rebuilds plays per user from the simulator's NDJSON events."""
    by_user = {}
    for line in open(path, encoding="utf-8"):
        e = json.loads(line)
        by_user.setdefault(e["user_id"], []).append(e)
    out = {}
    for user, events in by_user.items():
        events.sort(key=lambda e: e["ts"] if isinstance(e["ts"], int) else parse_rfc(e["ts"]))
        plays, cur, paused, searched = [], None, False, False
        for e in events:
            t = e["ts"] if isinstance(e["ts"], int) else parse_rfc(e["ts"])
            kind = e["type"]
            if kind == "play":
                if cur and paused:  # left paused, never resumed: the session was abandoned
                    cur["end"], cur["end_kind"] = cur["since"], "abandoned"
                    plays.append(cur)
                elif cur:  # replaced by another play without an end event
                    cur["listened"] += t - cur["since"]
                    cur["end"], cur["end_kind"] = t, "skipped"
                    plays.append(cur)
                cur = {"start": t, "end": t, "ms": 0, "end_kind": "other", "search": searched,
                       "listened": 0, "since": t}
                paused, searched = False, False
            elif kind == "search":
                searched = True
            elif cur is None:
                continue
            elif kind == "pause":
                cur["listened"] += t - cur["since"]
                cur["since"], paused = t, True
            elif kind == "resume":
                cur["since"], paused = t, False
            elif kind in ("skip", "complete", "exit"):
                if not paused:
                    cur["listened"] += t - cur["since"]
                cur["end"] = t
                cur["end_kind"] = {"skip": "skipped", "complete": "completed"}[kind] if kind != "exit" else (
                    "abandoned" if paused else "exited")
                plays.append(cur)
                cur = None
        if cur:
            cur["end"], cur["end_kind"] = cur["since"], "abandoned" if paused else "other"
            plays.append(cur)
        for p in plays:
            p["ms"] = p.pop("listened")
            p.pop("since")
        out[user] = plays
    return out


def parse_rfc(s):
    s = s.replace("Z", "+00:00")
    return int(datetime.fromisoformat(s).timestamp() * 1000)


def sessions(plays):
    out, cur, last_end = [], [], None
    for p in plays:
        if cur and p["start"] - last_end > GAP_MS:
            out.append(cur)
            cur = []
        cur.append(p)
        last_end = max(last_end or 0, p["end"]) if cur[:-1] else p["end"]
    if cur:
        out.append(cur)
    return out


def pct(values, q):
    v = sorted(values)
    return v[min(len(v) - 1, int(q * (len(v) - 1) + 0.5))]


def summarise(all_sessions):
    plays = [p for s in all_sessions for p in s]
    n = len(plays)
    lengths = [len(s) for s in all_sessions]
    minutes = [(s[-1]["end"] - s[0]["start"]) / 60000 for s in all_sessions]
    ends = {}
    for s in all_sessions:
        ends[s[-1]["end_kind"]] = ends.get(s[-1]["end_kind"], 0) + 1
    return {
        "plays": n, "sessions": len(all_sessions),
        "skip_rate": round(sum(p["end_kind"] == "skipped" for p in plays) / n, 3),
        "complete_rate": round(sum(p["end_kind"] == "completed" for p in plays) / n, 3),
        "search_share": round(sum(p["search"] for p in plays) / n, 3),
        "plays_per_session": {"mean": round(statistics.mean(lengths), 1), "p25": pct(lengths, .25),
                              "median": pct(lengths, .5), "p75": pct(lengths, .75), "p90": pct(lengths, .9)},
        "session_minutes": {"mean": round(statistics.mean(minutes), 1), "p25": round(pct(minutes, .25), 1),
                            "median": round(pct(minutes, .5), 1), "p75": round(pct(minutes, .75), 1),
                            "p90": round(pct(minutes, .9), 1)},
        "single_play_sessions": round(sum(x == 1 for x in lengths) / len(lengths), 3),
        "session_end": {k: round(v / len(all_sessions), 3) for k, v in sorted(ends.items())},
        "median_skip_dwell_s": round(pct([p["ms"] / 1000 for p in plays if p["end_kind"] == "skipped"] or [0], .5), 1),
    }


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("side", choices=["real", "sim"])
    ap.add_argument("paths", nargs="+")
    ap.add_argument("--json", action="store_true")
    a = ap.parse_args()
    if a.side == "real":
        result = {os.path.basename(os.path.normpath(p)): summarise(sessions(real_plays([p]))) for p in a.paths}
        result["all"] = summarise([s for p in a.paths for s in sessions(real_plays([p]))])
    else:
        per_user = sim_plays(a.paths[0])
        result = {"all": summarise([s for plays in per_user.values() for s in sessions(plays)])}
    if a.json:
        print(json.dumps(result))
    else:
        for k, v in result.items():
            print(k, json.dumps(v, indent=1))


if __name__ == "__main__":
    sys.exit(main())
