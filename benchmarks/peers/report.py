#!/usr/bin/python3
"""Checks and tabulates the JSON lines of benchmarks/compare.sh.

  report.py annotate LINE ROUND SERVER_ACCEPTS STDERR_FILE
      validates one client's JSON line, adds the round, the server-side
      connection count (and wrk's whole-process CPU from /usr/bin/time, found
      in STDERR_FILE), prints the line again.
  report.py report --results JSONL --scaling JSONL --markdown FILE --plot-data FILE ...
      prints the table (each client's median run by CPU per call when there
      are several rounds), writes the Markdown report and gnuplot's data file;
      exits 3 if any run counted failed calls.
"""
import argparse
import json
import re
import sys

REQUIRED_FIELDS = (
    "client", "operation", "requests", "concurrency", "wall_s", "req_per_s", "cpu_user_s",
    "cpu_sys_s", "cpu_us_per_req", "p50_ms", "p90_ms", "p99_ms", "max_ms", "peak_rss_mb",
    "errors", "connections_opened", "allocs_per_req",
)
EXIT_CALLS_FAILED = 3  # the report is written, but some client counted failed calls
TIME_LINE = re.compile(r"^time: user=([0-9.]+) sys=([0-9.]+) maxrss_kb=([0-9]+)$", re.MULTILINE)


def annotate(line, round_number, server_accepts, stderr_path):
    try:
        result = json.loads(line)
    except json.JSONDecodeError as error:
        sys.exit(f"report.py: not a JSON line ({error}): {line}")
    missing = [field for field in REQUIRED_FIELDS if field not in result]
    if missing:
        sys.exit(f"report.py: {result.get('client', '?')} line lacks {', '.join(missing)}")
    if result.get("thread_safe") is False:
        result["client"] += " (thread_safe=false)"
    result["round"] = round_number
    result["server_connections_accepted"] = server_accepts
    if result["connections_opened"] is None:
        result["connections_opened"] = server_accepts
        result["connections_counted_by"] = "nginx stub_status"
    else:
        result.setdefault("connections_counted_by", "client hook")
    with open(stderr_path, encoding="utf-8", errors="replace") as stderr_file:
        timing = TIME_LINE.search(stderr_file.read())
    if timing:
        result["process_cpu_total_s"] = round(float(timing[1]) + float(timing[2]), 3)
    print(json.dumps(result))


def read_lines(path):
    with open(path, encoding="utf-8") as lines:
        return [json.loads(line) for line in lines if line.strip()]


def number(value, digits):
    return "n/a" if value is None else f"{value:,.{digits}f}"


def ratio(value, reference):
    return f"{value / reference:.2f}x" if reference else "n/a"


def median_runs(results):
    """One entry per client, in order of first appearance: its median run by CPU per call
    (the lower middle one for an even count), the CPU range of its runs, and how many failed."""
    by_client = {}
    for r in results:
        by_client.setdefault(r["client"], []).append(r)
    summaries = []
    for client, runs in by_client.items():
        good = sorted((r for r in runs if "failed" not in r), key=lambda r: r["cpu_us_per_req"])
        failed = [r["failed"] for r in runs if "failed" in r]
        summaries.append({
            "client": client,
            "median": good[(len(good) - 1) // 2] if good else None,
            "cpu_range": (good[0]["cpu_us_per_req"], good[-1]["cpu_us_per_req"]) if good else None,
            "runs": len(good),
            "failed": failed,
        })
    return summaries


def connections_cell(r):
    cell = f"{r['connections_opened']}"
    if r.get("connections_opened_measured_phase"):
        cell += f", {r['connections_opened_measured_phase']} while measuring"
    if r.get("connections_counted_by") == "client hook":
        cell += f" (server {r['server_connections_accepted']})"
    return cell


MAIN_HEADER = ("client", "calls", "calls/s", "CPU us/call", "CPU vs wrk", "p50 ms", "p99 ms",
               "max ms", "peak RSS MB", "errors", "connections", "allocs/call")


def main_rows(summaries):
    """Table rows; with several rounds a column gives each client's CPU range over its runs."""
    several = any(s["runs"] + len(s["failed"]) > 1 for s in summaries)
    wrk_cpu = next((s["median"]["cpu_us_per_req"] for s in summaries
                    if s["client"] == "wrk" and s["median"]), None)
    header = MAIN_HEADER + (("runs: CPU range",) if several else ())
    rows = []
    for s in summaries:
        r = s["median"]
        if r is None:
            rows.append((s["client"], f"FAILED: {'; '.join(s['failed'])}") + ("",) * (len(header) - 2))
            continue
        row = (s["client"], f"{r['requests']:,}", number(r["req_per_s"], 0),
               number(r["cpu_us_per_req"], 1), ratio(r["cpu_us_per_req"], wrk_cpu),
               number(r["p50_ms"], 2), number(r["p99_ms"], 2), number(r["max_ms"], 1),
               number(r["peak_rss_mb"], 1), str(r["errors"]), connections_cell(r),
               number(r["allocs_per_req"], 1))
        if several:
            low, high = s["cpu_range"]
            failed = f", {len(s['failed'])} FAILED" if s["failed"] else ""
            row += (f"{s['runs']}: {low:.1f} to {high:.1f}{failed}",)
        rows.append(row)
    return header, rows


SCALING_HEADER = ("in flight", "calls", "calls/s", "CPU us/call", "p50 ms", "p99 ms", "max ms",
                  "peak RSS MB", "errors", "connections")


def scaling_rows(scaling):
    rows = []
    for r in scaling:
        if "failed" in r:
            rows.append((r["client"], f"FAILED: {r['failed']}") + ("",) * (len(SCALING_HEADER) - 2))
            continue
        rows.append((str(r["concurrency"]), f"{r['requests']:,}", number(r["req_per_s"], 0),
                     number(r["cpu_us_per_req"], 1), number(r["p50_ms"], 2),
                     number(r["p99_ms"], 2), number(r["max_ms"], 1),
                     number(r["peak_rss_mb"], 1), str(r["errors"]),
                     str(r["connections_opened"])))
    return rows


def text_table(header, rows):
    """Aligned columns; a FAILED row's long reason runs past them instead of widening them."""
    measured = [row for row in rows if not row[1].startswith("FAILED")]
    widths = [max(len(cell) for cell in column) for column in zip(header, *measured)]
    lines = []
    for row in (header, *rows):
        if row[1].startswith("FAILED"):
            lines.append(f"{row[0].ljust(widths[0])}  {row[1]}")
        else:
            lines.append("  ".join(cell.ljust(width) for cell, width in zip(row, widths)).rstrip())
    lines.insert(1, "  ".join("-" * width for width in widths))
    return "\n".join(lines)


def markdown_table(header, rows):
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines)


def targets(summaries):
    """Issue 8's CPU-per-call targets, when the ivschat-cpp row is there."""
    ok = {s["client"]: s["median"] for s in summaries if s["median"]}
    checks = []
    for name, ours in ok.items():
        if not name.startswith("ivschat"):
            continue
        checks.append(f"- {name}:")
        for peer, limit, wording in (("wrk", 1.2, "at most 1.2x wrk's CPU per call"),
                                     ("aws-sdk-go-v2", 7, "at least 7x less CPU per call than Go"),
                                     ("aws-sdk-js-v3", 35, "at least 35x less CPU per call than JS")):
            if peer not in ok:
                continue
            if peer == "wrk":
                value = ours["cpu_us_per_req"] / ok[peer]["cpu_us_per_req"]
                met = value <= limit
            else:
                value = ok[peer]["cpu_us_per_req"] / ours["cpu_us_per_req"]
                met = value >= limit
            checks.append(f"  - {wording}: {value:.2f}x, {'met' if met else 'NOT met'}")
        checks.append(f"  - connections opened {ours['connections_opened']} <= {ours['concurrency']} in flight: "
                      f"{'met' if ours['connections_opened'] <= ours['concurrency'] else 'NOT met'}")
        checks.append(f"  - zero errors: {'met' if ours['errors'] == 0 else 'NOT met'}")
    return checks


def report(args):
    summaries = median_runs(read_lines(args.results))
    scaling = read_lines(args.scaling)
    header, main = main_rows(summaries)
    print(text_table(header, main))
    if scaling:
        print("\nivschat-bench scaling (pool capped at the CONNECTIONS setting):")
        print(text_table(SCALING_HEADER, scaling_rows(scaling)))

    with open(args.plot_data, "w", encoding="utf-8") as plot:
        plot.write("# client cpu_us_per_call calls_per_s\n")
        for s in summaries:
            if s["median"]:
                plot.write(f"\"{s['client']}\" {s['median']['cpu_us_per_req']} "
                           f"{s['median']['req_per_s']}\n")

    versions = [f"- {s['client']}: {s['median']['version']}" for s in summaries
                if s["median"] and s["median"].get("version")]
    sections = [
        "# CreateChatToken: ivschat-cpp and the AWS SDKs against one server",
        "",
        "Written by `benchmarks/compare.sh` (how each client is measured: "
        "`benchmarks/peers/README.md`). The machine is shared and noisy: compare "
        "the ratios within this run, not absolute figures across runs.",
        "",
        f"- date: {args.date}",
        f"- machine: {args.machine}",
        f"- server: {args.server}",
        f"- command: `{args.command}`",
        "",
        markdown_table(header, main),
        "",
        "CPU is the client process's user+sys CPU during the measured calls only "
        "(warm-up excluded), divided by the calls; with several rounds each row is the "
        "client's median run. `connections` is what the client's own connection hook "
        "counted, warm-up included, then how many of those it opened while measuring "
        "(their TLS handshakes are in its CPU), then in brackets what nginx accepted "
        "during that run; wrk's comes from nginx alone. wrk signs nothing: it is the floor.",
        "",
        "![CPU per call and calls per second](compare.svg)",
        "",
    ]
    checks = targets(summaries)
    if checks:
        sections += ["## Issue 8 targets in this run", "", *checks, ""]
    if scaling:
        sections += ["## ivschat-bench scaling (pool capped at the CONNECTIONS setting)", "",
                     markdown_table(SCALING_HEADER, scaling_rows(scaling)), ""]
    sections += ["## Versions", "", *versions, ""]
    with open(args.markdown, "w", encoding="utf-8") as markdown:
        markdown.write("\n".join(sections))

    with_errors = [f"{r['client']} (round {r['round']}): {r['errors']} errors"
                   for r in read_lines(args.results) + scaling if r.get("errors")]
    for line in with_errors:
        print(f"report.py: calls failed: {line}", file=sys.stderr)
    return EXIT_CALLS_FAILED if with_errors else 0


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="command_name", required=True)
    annotate_parser = commands.add_parser("annotate")
    annotate_parser.add_argument("line")
    annotate_parser.add_argument("round_number", type=int)
    annotate_parser.add_argument("server_accepts", type=int)
    annotate_parser.add_argument("stderr_path")
    report_parser = commands.add_parser("report")
    for option in ("--results", "--scaling", "--markdown", "--plot-data", "--machine", "--date",
                   "--command", "--server"):
        report_parser.add_argument(option, required=True)
    return parser.parse_args()


if __name__ == "__main__":
    arguments = parse_args()
    if arguments.command_name == "annotate":
        annotate(arguments.line, arguments.round_number, arguments.server_accepts,
                 arguments.stderr_path)
    else:
        sys.exit(report(arguments))
