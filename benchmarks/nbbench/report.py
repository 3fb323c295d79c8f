"""The markdown table (and the JSON it is made from)."""

from __future__ import annotations

import json
from pathlib import Path


def _get(data: dict, path: str):
    for key in path.split("."):
        if not isinstance(data, dict) or key not in data:
            return None
        data = data[key]
    return data


def _fmt(value, unit: str) -> str:
    if value is None:
        return "–"
    if unit == "s":
        return f"{value:.2f} s" if value < 100 else f"{value:.0f} s"
    if unit == "ms":
        return f"{value * 1000:.1f} ms" if value < 1 else f"{value * 1000:.0f} ms"
    if unit in ("MB", "MB+"):
        return f"{value:.0f} MB"
    if unit == "n":
        return f"{value:.0f}"
    return str(value)


def _ratio(a, b) -> str:
    if a is None or b is None or b == 0:
        return "–"
    r = a / b
    return f"{r:.2f}×" if r < 10 else f"{r:.0f}×"


def rows(results: dict) -> list[tuple[str, str, str, str, str]]:
    """(workload, what, unit, path in each side's results, the target it is held to:
    the report's target column)."""
    sides = [results.get(k) or {} for k in ("ours", "theirs")]
    bursts = sorted({int(k) for side in sides for k in (side.get("w2") or {})})
    seeded = next((s["w3"]["rows_seeded"] for s in sides if s.get("w3")), 0)
    load = next((s["w4"]["jobs"] for s in sides if s.get("w4")), 20)
    at = f"@ {seeded:,} jobs"
    out = [
        ("1", "1-cell job, create → completed, median", "s", "w1.median", "≤ 0.3 s"),
        ("1", "1-cell job, create → completed, p90", "s", "w1.p90", ""),
        ("1", "1-cell job, first after server start", "s", "w1.first_job.seconds", ""),
    ]
    for size in bursts:
        out += [
            ("2", f"{size} jobs at once: all final", "s", f"w2.{size}.wall",
             "≤ 6 s" if size == 20 else ""),
            ("2", f"{size} jobs at once: peak RSS, server tree", "MB",
             f"w2.{size}.peak_tree_rss_mb", ""),
        ]
    for key, what in (("first", "first page"), ("deep", "deep page (half-way)"),
                      ("filtered", "status=failed")):
        out += [
            ("3", f"list 50 rows {at}, {what}, median", "ms", f"w3.{key}.median", ""),
            ("3", f"list 50 rows {at}, {what}, p99", "ms", f"w3.{key}.p99", "≤ 20 ms"),
        ]
    for key, what in (("list", "GET list (50 rows)"), ("get", "GET one job")):
        out += [
            ("4", f"{what} while {load} jobs run, median", "ms", f"w4.{key}.median", ""),
            ("4", f"{what} while {load} jobs run, p99", "ms", f"w4.{key}.p99",
             "≤ 50 ms" if load == 20 else ""),
        ]
    out += [
        ("5", "10-cell notebook, create → completed, median", "s", "w5.median", ""),
        ("5", "  the same minus its code's plain-Python time", "s", "w5.overhead", ""),
        ("6", "server RSS right after start", "MB", "server_rss_start_mb", ""),
        ("6", "server RSS before the many-jobs run (idle)", "MB", "w6.server_rss_before_mb", ""),
        ("6", "server RSS after it", "MB", "w6.server_rss_after_mb", ""),
        ("6", "server RSS growth", "MB+", "w6.server_rss_growth_mb", "≤ 30 MB / 1,000 jobs"),
        ("6", "jobs completed in the many-jobs run", "n", "w6.completed", "1,000"),
    ]
    return out


def table(results: dict) -> str:
    ours = results.get("ours") or {}
    theirs = results.get("theirs") or {}
    pm = results.get("papermill") or {}
    lines = [
        "| # | measure | nbjobs | jupyter-scheduler | papermill CLI | nbjobs / scheduler "
        "| nbjobs / papermill | target |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for wl, what, unit, path, target in rows(results):
        a, b, c = _get(ours, path), _get(theirs, path), _get(pm, path)
        if a is None and b is None and c is None:
            continue
        ratio = _ratio(a, b) if unit not in ("n", "MB+") else "–"  # counts, small deltas
        ratio_pm = _ratio(a, c) if unit in ("s", "ms") else "–"
        lines.append(f"| {wl} | {what} | {_fmt(a, unit)} | {_fmt(b, unit)} | {_fmt(c, unit)} "
                     f"| {ratio} | {ratio_pm} | {target} |")
    return "\n".join(lines)


def details(results: dict) -> str:
    """What was actually run: counts, caps, aborted bursts, checks — the caveats."""
    out = []
    for side in ("ours", "theirs", "papermill"):
        data = results.get(side)
        if not data:
            continue
        bits = []
        for key in ("w1", "w5"):
            if data.get(key):
                d = data[key]
                bits.append(f"{key}: n={d.get('n')} statuses={d.get('statuses', {})}")
        for size, d in sorted((data.get("w2") or {}).items(), key=lambda kv: int(kv[0])):
            if not d:
                continue
            bits.append(f"w2/{size}: completed={d['completed']} failed={d['failed']} "
                        f"unfinished={d['unfinished']} aborted={d['aborted']} "
                        f"http_errors={d.get('http_errors', 0)} "
                        f"peak_processes={d['peak_processes']}")
        if data.get("w3"):
            d = data["w3"]
            bits.append(f"w3: rows={d['rows_seeded']} n=" + "/".join(
                str(d[k]["n"]) for k in ("first", "deep", "filtered")) + f" check={d['check']}")
        if data.get("w4"):
            d = data["w4"]
            bits.append(f"w4: samples={d['list']['n']}+{d['get']['n']} over "
                        f"{d['sampling_seconds']:.1f} s, jobs all final during sampling="
                        f"{d['jobs_final_during_sampling']}, http_errors={d.get('http_errors', 0)}")
        if data.get("w6"):
            d = data["w6"]
            bits.append(f"w6: warm-up={d.get('warmup_jobs')} then requested={d['requested']} submitted={d['submitted']} "
                        f"completed={d['completed']} failed={d['failed']} capped={d['capped']} "
                        f"(cap {d['time_cap']:.0f} s) wall={d['wall']:.0f} s "
                        f"jobs/min={d['jobs_per_minute'] or 0:.1f}")
        if data.get("server_start_seconds") is not None:
            bits.append(f"server start {data['server_start_seconds']:.1f} s")
        out.append(f"- **{side}**: " + "; ".join(bits))
    if results.get("plain_python"):
        out.append(f"- 10-cell notebook code in plain Python: "
                   f"{results['plain_python']['w5']:.2f} s")
    for note in results.get("merged", []):
        out.append(f"- merged: {note}")
    for err in results.get("errors", []):
        out.append(f"- error: {err}")
    return "\n".join(out)


def markdown(results: dict) -> str:
    meta = results["meta"]
    head = [
        f"# Benchmark results ({meta['mode']} run)",
        "",
        f"Run {meta['started']} → {meta.get('finished', '(unfinished)')} (UTC) on {meta['machine']}; "
        f"load average at start {meta['load_start']}, at end {meta.get('load_end')}.",
        f"nbjobs {meta['nbjobs_commit']}; jupyter-scheduler {meta.get('scheduler_version')}; "
        f"papermill {meta.get('papermill_version')}; jupyter_server {meta.get('jupyter_server')}.",
        f"Command: `{meta['command']}`",
        "",
        "Medians unless the row says p90/p99; times are create → final as seen by polling "
        f"(every {meta['poll_ms']} ms or 2% of the time waited, whichever is more). RSS is the sum over the server's "
        "process tree (shared pages counted in each process) unless it says \"server\". "
        "See docs/benchmarks.md for the method.",
        "",
        "",
    ]
    return "\n".join(head) + table(results) + "\n\n## What ran\n\n" + details(results) + "\n"


def write(results: dict, md_path: Path) -> None:
    md_path.parent.mkdir(parents=True, exist_ok=True)
    md_path.write_text(markdown(results))
    md_path.with_suffix(".json").write_text(json.dumps(results, indent=1, default=str))
