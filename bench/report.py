#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Turn a benchmark run's raw output (build/share/bench-out) into
results.json, results.md and PNG plots; optionally write bench/RESULTS.md."""
import argparse
import json
import os
import re
import statistics
import subprocess
import sys

BASE = "zswap-lz4"
# metric: (label, unit, higher is better)
METRICS = {
    "pageout_us_per_page": ("push-out time per page", "us", False),
    "store_cpu_us_per_page": ("swap-out path CPU per page (sys time / pages stored)", "us", False),
    "zswap_store_us": ("zswap_store() per call (function profiler)", "us", False),
    "zswap_load_us": ("zswap_load() per call (function profiler)", "us", False),
    "read_us_per_page": ("read pass, per page", "us", False),
    "read2_us_per_page": ("second read pass, per page", "us", False),
    "read2_faults": ("faults in the second read pass", "", False),
    "zswap_store_again_us": ("zswap_store() per call, second push-out (function profiler)", "us", False),
    "compare_us_per_page": ("full-compare pass, per page", "us", False),
    "write_us_per_page": ("write pass, per page", "us", False),
    "readwrite_us_per_page": ("read-then-write pass, per page", "us", False),
    "read_majflt": ("major faults in the read pass", "", False),
    "read_lat_p50_us": ("latency pass: a page's first read, p50", "us", False),
    "read_lat_p99_us": ("latency pass: a page's first read, p99", "us", False),
    "iops": ("IOPS", "", True),
    "clat_p50_us": ("completion latency p50", "us", False),
    "clat_p90_us": ("completion latency p90", "us", False),
    "clat_p99_us": ("completion latency p99", "us", False),
    "clat_p99.9_us": ("completion latency p99.9", "us", False),
    "bogo_ops_per_s": ("bogo ops/s (real time)", "", True),
    "mib_per_s": ("throughput", "MiB/s", True),
    "zswpout": ("zswap stores", "pages", None),
    "pswpout": ("swap-device writes", "pages", None),
}
PCTS = [("50.000000", "clat_p50_us"), ("90.000000", "clat_p90_us"),
        ("99.000000", "clat_p99_us"), ("99.900000", "clat_p99.9_us")]


def read_kv(path):
    out = {}
    with open(path) as f:
        for line in f:
            if "=" in line:
                k, v = line.rstrip("\n").split("=", 1)
                out[k.strip()] = v.strip().strip('"')
    return out


def vmstat(path):
    out = {}
    with open(path) as f:
        for line in f:
            k, v = line.split()
            out[k] = int(v)
    return out


def first_json(text):
    i = text.find("{")
    if i < 0:
        raise ValueError("no JSON in the output")
    return json.loads(text[i:])


def parse_run(d):
    meta = read_kv(os.path.join(d, "meta"))
    with open(os.path.join(d, "out"), errors="replace") as f:
        out = f.read()
    b, a = vmstat(os.path.join(d, "vmstat.before")), vmstat(os.path.join(d, "vmstat.after"))
    m = {k: a.get(k, 0) - b.get(k, 0) for k in ("zswpout", "zswpin", "pswpout", "pswpin", "zswpwb")}
    scen, var = meta["scenario"], meta["variant"]
    ok = meta.get("rc") == "0"
    problems = []
    extra = {}
    if ok and scen == "page":
        j = first_json(out)
        for p in ("pageout", "read", "compare", "write", "readwrite", "read2"):
            if p in j:
                m[p + "_us_per_page"] = j[p]["us_per_page"]
        if "read2" in j:
            m["read2_faults"] = j["read2"]["majflt"] + j["read2"]["minflt"]
        m["store_cpu_us_per_page"] = j["store_cpu_us_per_page"]
        for fn in ("zswap_store", "zswap_load", "zswap_store_again"):
            if j.get(fn) and j[fn]["calls"]:
                m[fn + "_us"] = j[fn]["us_per_call"]
        m["read_majflt"] = j["read"]["majflt"]
        lat = j.get("read_latency")
        if lat:
            extra["read_latency_pct"] = lat["pct"]
            m["read_lat_p50_us"] = lat["pct"][50]
            m["read_lat_p99_us"] = lat["pct"][99]
        if j["mismatched_pages"]:
            problems.append("%d pages differ" % j["mismatched_pages"])
    elif ok and scen == "fio":
        job = first_json(out)["jobs"][0]
        m["iops"] = job["read"]["iops"] + job["write"]["iops"]
        pct = job["read"]["clat_ns"].get("percentile", {})
        for k, name in PCTS:
            if k in pct:
                m[name] = pct[k] / 1000.0
    elif ok and scen == "stress":
        with open(os.path.join(d, "stress.yaml")) as f:
            y = f.read()
        r = re.search(r"stressor:\s*vm\b.*?bogo-ops-per-second-real-time:\s*([0-9.e+]+)", y, re.S)
        if not r:
            raise ValueError("no bogo-ops-per-second-real-time in stress.yaml")
        m["bogo_ops_per_s"] = float(r.group(1))
    elif ok and scen == "usemem":
        j = first_json(out)
        m["mib_per_s"] = j["mib_per_s"]
        if j["failed"]:
            problems.append("data check failed")
    if not ok:
        problems.append("exit status %s" % meta.get("rc"))
    run = {"scenario": "%s-%s" % (scen, var), "mode": meta["mode"],
           "rep": int(meta["rep"]), "wall_s": int(meta.get("wall_ns", 0)) / 1e9,
           "metrics": m, "problems": problems}
    run.update(extra)
    return run


def environment(raw, console, command):
    share = os.path.dirname(raw.rstrip("/"))
    top = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    env = {"command": command}
    try:
        env["commit"] = subprocess.run(["git", "-C", top, "describe", "--always", "--dirty"],
                                       capture_output=True, text=True).stdout.strip()
    except OSError:
        env["commit"] = "unknown"
    env["vm"] = {"cpus": 2, "accel": "tcg"}
    path = os.path.join(share, "vm.env")
    text = open(path).read() if os.path.exists(path) else ""
    for key, name in (("ZSWAP_SPM_MEM_MIB", "dram_mib"), ("ZSWAP_SPM_CXL_MIB", "cxl_mib"),
                      ("ZSWAP_SPM_CXL_MODE", "cxl_mode"), ("ZSWAP_SPM_SWAP_MIB", "swap_mib")):
        r = re.search(key + r"=(\S+)", text)
        env["vm"][name] = r.group(1) if r else None
    env["kernel"] = env["qemu"] = env["device_model"] = env["mc_copy"] = None
    env["kernel_build"] = None
    if os.path.exists(os.path.join(share, "qemu-version")):
        env["qemu"] = open(os.path.join(share, "qemu-version")).read().strip()
    if console and os.path.exists(console):
        c = open(console, errors="replace").read()
        r = re.search(r"Linux version (\S+)", c)
        env["kernel"] = r.group(1) if r else None
        # The kernel command line's last setting wins (APPEND comes last).
        cmdline = re.search(r"Command line: (.*)", c)
        r = re.findall(r"cxl_compressed\.model=([^\s\"]+)", cmdline.group(1) if cmdline else "")
        env["device_model"] = r[-1] if r else "none"
        # copy_mc_to_kernel(): 8-byte moves with mce=recovery, else rep movsb,
        # which TCG runs a byte at a time (bench/README.md).
        env["mc_copy"] = ("copy_mc_fragile (mce=recovery)"
                          if re.search(r"(^|\s)mce=recovery(\s|$)", cmdline.group(1) if cmdline else "")
                          else "rep movsb")
        # The test kernel has lockdep (config/debug.config), the benchmark
        # kernel (BENCH_KERNEL=fast) has not.
        env["kernel_build"] = ("test (debug options)" if "Lock dependency validator" in c
                               else "benchmark (no debug options)")
        r = re.search(r"cxl_compressed \S+: node \d+: .*", c)
        env["device"] = r.group(0) if r else None
    return env


def median_table(runs):
    med = {}
    for r in runs:
        for k, v in r["metrics"].items():
            med.setdefault(r["scenario"], {}).setdefault(k, {}).setdefault(r["mode"], []).append(v)
    out = {}
    for s, ms in med.items():
        for k, modes in ms.items():
            for mode, vals in modes.items():
                out.setdefault(s, {}).setdefault(k, {})[mode] = {
                    "median": statistics.median(vals), "reps": vals}
    return out


def fmt_range(cell):
    """A median with its repetitions' range: "median (min-max)"."""
    reps = cell["reps"]
    if len(reps) < 2:
        return fmt(cell["median"])
    return "%s (%s-%s)" % (fmt(cell["median"]), fmt(min(reps)), fmt(max(reps)))


def ratio_cell(v, b):
    """Ratio of medians of two modes; "tie" when their ranges overlap."""
    if not b or not b["median"] or v is None:
        return "-"
    r = "%.2f" % (v["median"] / b["median"])
    if min(v["reps"]) <= max(b["reps"]) and min(b["reps"]) <= max(v["reps"]):
        return r + " tie"
    return r


def worst_ratio(v, b):
    """The worst case of time v against time b: v's slowest repetition
    over b's fastest; None when b has a zero."""
    return max(v["reps"]) / min(b["reps"]) if min(b["reps"]) else None


def fmt(v):
    if v is None:
        return "-"
    if abs(v) >= 1000:
        return "%.0f" % v
    if abs(v) >= 10:
        return "%.1f" % v
    return "%.3g" % v


# The zswap SPM backend's targets (issue 5): store-path CPU per page at most
# 0.3x zswap-lz4 and 0.1x zswap-zstd (zswap_store() per call); swap-in no
# slower than zswap-lz4 (the read pass per page, and zswap_load() per call).
# (metric, baseline, highest ratio allowed; None: shown for reference, not a
# target).  The whole swap-out path's system time is for reference: most of
# it is reclaim that every mode pays, plain swap's included.
SPM = "zswap-spm"
SPM_TARGETS = [("zswap_store_us", "zswap-lz4", 0.3),
               ("zswap_store_us", "zswap-zstd", 0.1),
               ("read_us_per_page", "zswap-lz4", 1.0),
               ("zswap_load_us", "zswap-lz4", 1.0),
               ("store_cpu_us_per_page", "zswap-lz4", None),
               ("store_cpu_us_per_page", "zswap-zstd", None)]


# Zero-copy reads' targets (zswap-spm-map): (metric, baseline mode, baseline
# metric, highest ratio allowed).  Met only if the worst case meets it: the
# slowest repetition of zswap-spm-map against the fastest of the baseline.
MAP = "zswap-spm-map"
MAP_TARGETS = [("read_us_per_page", "zswap-lz4", "read_us_per_page", 1 / 1.5),
               ("read_us_per_page", SPM, "read_us_per_page", 1 / 1.3),
               ("zswap_load_us", SPM, "zswap_load_us", 0.3),
               ("write_us_per_page", SPM, "write_us_per_page", 1.0),
               ("zswap_store_again_us", SPM, "zswap_store_us", 0.5)]


def map_targets(res):
    """Lines that compare zswap-spm-map with its targets, per page content."""
    if MAP not in res["modes"]:
        return []
    lines = ["", "Targets of %s (worst case: its slowest repetition against the "
             "baseline's fastest; the median ratio for reference):" % MAP, "",
             "| scenario | metric | against | worst ratio | median ratio | target | met |",
             "|---|---|---|---|---|---|---|"]
    for s in sorted(res["medians"]):
        med = res["medians"][s]
        for k, base, bk, limit in MAP_TARGETS:
            v = med.get(k, {}).get(MAP)
            b = med.get(bk, {}).get(base)
            if not v or not b or not min(b["reps"]):
                continue
            worst = worst_ratio(v, b)
            lines.append("| %s | %s | %s %s | %.3f | %.3f | <= %.3f | %s |" % (
                s, METRICS[k][0], base, METRICS[bk][0] if bk != k else "", worst,
                v["median"] / b["median"], limit, "yes" if worst <= limit else "NO"))
        f = med.get("read2_faults", {}).get(MAP)
        if f:
            lines.append("| %s | %s | - | max %d | - | 0 | %s |" % (
                s, METRICS["read2_faults"][0], max(f["reps"]),
                "yes" if max(f["reps"]) == 0 else "NO"))
    return lines


def spm_targets(res):
    """Lines that compare zswap-spm with its targets, per page content."""
    if SPM not in res["modes"]:
        return []
    lines = ["", "Targets of %s (worst case: its slowest repetition against the "
             "baseline's fastest; the median ratio for reference):" % SPM, "",
             "| scenario | metric | against | worst ratio | median ratio | target | met |",
             "|---|---|---|---|---|---|---|"]
    for s in sorted(res["medians"]):
        for k, base, limit in SPM_TARGETS:
            row = res["medians"][s].get(k, {})
            v = row.get(SPM)
            b = row.get(base)
            if not v or not b or not b["median"]:
                continue
            worst = worst_ratio(v, b)
            med = v["median"] / b["median"]
            if limit is None:
                sw = row.get("swap", {}).get("median")
                lines.append("| %s | %s | %s | %s | %.3f%s | reference | - |" % (
                    s, METRICS[k][0], base, "-" if worst is None else "%.3f" % worst, med,
                    " (swap: %.3f)" % (sw / b["median"]) if sw else ""))
                continue
            lines.append("| %s | %s | %s | %s | %.3f | <= %.1f | %s |" % (
                s, METRICS[k][0], base, "-" if worst is None else "%.3f" % worst, med,
                limit, "yes" if worst is not None and worst <= limit else "NO"))
    return lines


def markdown(res):
    modes = res["modes"]
    others = [m for m in modes if m != BASE]
    lines = []
    env = res["environment"]
    lines.append("Command: `%s`  " % env["command"])
    lines.append("Commit %s, kernel %s, QEMU %s, VM: %s MiB DRAM + %s MiB CXL (%s), "
                 "2 vCPUs under TCG; kernel build: %s; device model: %s; "
                 "machine-check-safe copy: %s.  " % (
                     env.get("commit"), env.get("kernel"), env.get("qemu"),
                     env["vm"].get("dram_mib"), env["vm"].get("cxl_mib"),
                     env["vm"].get("cxl_mode"), env.get("kernel_build") or "unknown",
                     env.get("device_model"),
                     env.get("mc_copy")))
    lines.append("Medians of %d repetition(s), with the repetitions' range "
                 "(min-max); ratios are of medians, against %s (for times, < 1 "
                 "is faster; for throughput, > 1 is faster), and \"tie\" where "
                 "the two modes' ranges overlap: the difference is within the "
                 "VM's noise." % (res["params"]["reps"], BASE))
    lines.append("")
    head = "| scenario | metric | " + " | ".join(modes) + " | " + \
        " | ".join("%s / %s" % (m, BASE) for m in others if BASE in modes) + " |"
    lines.append(head)
    lines.append("|" + "---|" * (2 + len(modes) + (len(others) if BASE in modes else 0)))
    for s in sorted(res["medians"]):
        for k in METRICS:
            if k not in res["medians"][s]:
                continue
            row = res["medians"][s][k]
            label, unit, _ = METRICS[k]
            cells = [fmt_range(row[m]) if m in row else "-" for m in modes]
            ratios = []
            if BASE in modes:
                for m in others:
                    ratios.append(ratio_cell(row.get(m), row.get(BASE)))
            lines.append("| %s | %s%s | %s | %s |" % (s, label, " (%s)" % unit if unit else "",
                                                      " | ".join(cells), " | ".join(ratios)))
    lines.extend(spm_targets(res))
    lines.extend(map_targets(res))
    if res.get("store_profile"):
        lines += ["", "Store and load paths, time per call by the function profiler "
                  "(`bench/guest/store-profile.sh`, same VM run, 8 MiB of text per function):",
                  "", "```", res["store_profile"].rstrip(), "```"]
    probs = [r for r in res["runs"] if r["problems"]]
    if probs:
        lines.append("")
        lines.append("Problems:")
        for r in probs:
            lines.append("- %s %s rep %d: %s" % (r["scenario"], r["mode"], r["rep"], "; ".join(r["problems"])))
    return "\n".join(lines) + "\n"


def gnuplot(out, name, script):
    path = os.path.join(out, name + ".gp")
    with open(path, "w") as f:
        f.write(script)
    r = subprocess.run(["gnuplot", path], cwd=out, capture_output=True, text=True)
    if r.returncode:
        print("report: %s.png not drawn: %s" % (name, r.stderr.strip()), file=sys.stderr)
        return False
    return True


def pages_of(med):
    """The page scenarios (one per content), sorted."""
    return [s for s in sorted(med) if s.startswith("page-")]


def present(rows, modes):
    """The modes with a figure in any of rows (dicts mode -> {median})."""
    return [m for m in modes if any(m in r for r in rows)]


def plots(res, out):
    med = res["medians"]
    made = []
    common = ("set terminal pngcairo size 1000,560 font 'sans,10'\n"
              "set style data histogram\nset style histogram clustered gap 1\n"
              "set style fill solid 0.85 border -1\nset boxwidth 0.9\nset grid ytics\n"
              "set key outside right top\nset xtics nomirror\n")
    # Throughput relative to the base mode.
    tp = [(s, k) for s in sorted(med) for k in ("iops", "bogo_ops_per_s", "mib_per_s") if k in med[s]]
    modes = present([med[s][k] for s, k in tp], res["modes"])
    cols = " ".join('"%s"' % m for m in modes)
    if tp and BASE in modes:
        with open(os.path.join(out, "throughput.dat"), "w") as f:
            f.write("scenario " + cols + "\n")
            for s, k in tp:
                b = med[s][k].get(BASE, {}).get("median")
                vals = [med[s][k].get(m, {}).get("median") for m in modes]
                f.write('"%s" %s\n' % (s, " ".join("%.4f" % (v / b) if v is not None and b else "NaN" for v in vals)))
        if gnuplot(out, "throughput", common +
                   "set output 'throughput.png'\nset title 'Throughput relative to %s (median; higher is better)'\n"
                   "set ylabel 'x %s'\nplot for [i=2:%d] 'throughput.dat' using i:xtic(1) title columnheader(i)\n"
                   % (BASE, BASE, len(modes) + 1)):
            made.append("throughput.png")
    # fio latency percentiles.
    for s in sorted(med):
        if not s.startswith("fio-") or "clat_p50_us" not in med[s]:
            continue
        modes = present([med[s][k] for _, k in PCTS if k in med[s]], res["modes"])
        cols = " ".join('"%s"' % m for m in modes)
        dat = "latency-%s.dat" % s
        with open(os.path.join(out, dat), "w") as f:
            f.write("pct " + cols + "\n")
            for _, k in PCTS:
                if k in med[s]:
                    f.write('"%s" %s\n' % (k.split("_")[1], " ".join(
                        "%.2f" % med[s][k][m]["median"] if m in med[s][k] else "NaN" for m in modes)))
        if gnuplot(out, "latency-" + s, common +
                   "set output 'latency-%s.png'\nset title '%s: read completion latency percentiles (median of runs; lower is better)'\n"
                   "set logscale y\nset ylabel 'us'\nplot for [i=2:%d] '%s' using i:xtic(1) title columnheader(i)\n"
                   % (s, s, len(modes) + 1, dat)):
            made.append("latency-%s.png" % s)
    # CDF of a page's first read after a push-out (the latency pass), per
    # mode: at each percent, the median over the repetitions.
    for s in pages_of(med):
        runs = [r for r in res["runs"] if r["scenario"] == s and r.get("read_latency_pct")]
        modes = [m for m in res["modes"] if any(r["mode"] == m for r in runs)]
        if not modes:
            continue
        dat = "cdf-%s.dat" % s
        with open(os.path.join(out, dat), "w") as f:
            f.write("fraction " + " ".join('"%s"' % m for m in modes) + "\n")
            for q in range(101):
                f.write("%.2f %s\n" % (q / 100.0, " ".join(
                    "%.3f" % statistics.median(r["read_latency_pct"][q] for r in runs
                                               if r["mode"] == m) for m in modes)))
        if gnuplot(out, "cdf-" + s, common.replace("set style data histogram\n", "") +
                   "set output 'cdf-%s.png'\nset title '%s: latency of the first read of each page "
                   "after swap-out (CDF, median of runs; left is faster)'\n"
                   "set logscale x\nset xlabel 'us'\nset ylabel 'fraction of pages'\n"
                   "set yrange [0:1]\nplot for [i=2:%d] '%s' using i:1 with lines lw 2 "
                   "title columnheader(i)\n" % (s, s, len(modes) + 1, dat)):
            made.append("cdf-%s.png" % s)
    # Time per page for each pass.
    pages = pages_of(med)
    modes = present([med[s].get("read_us_per_page", {}) for s in pages], res["modes"])
    cols = " ".join('"%s"' % m for m in modes)
    if pages and modes:
        passes = ["pageout_us_per_page", "read_us_per_page", "compare_us_per_page", "write_us_per_page",
                  "readwrite_us_per_page"]
        script = common.replace("size 1000,560", "size 1200,%d" % (330 * ((len(pages) + 1) // 2))) + \
            "set output 'pages.png'\nset multiplot layout %d,2 title 'Time per page for each pass (median; lower is better)'\n" \
            "set logscale y\nset ylabel 'us per page'\n" % ((len(pages) + 1) // 2)
        for s in pages:
            dat = "pages-%s.dat" % s
            with open(os.path.join(out, dat), "w") as f:
                f.write("pass " + cols + "\n")
                for p in passes:
                    row = med[s].get(p, {})
                    f.write('"%s" %s\n' % (p.split("_")[0], " ".join(
                        "%.3f" % row[m]["median"] if m in row and row[m]["median"] > 0 else "NaN" for m in modes)))
            script += "set title '%s'\nplot for [i=2:%d] '%s' using i:xtic(1) title columnheader(i)\n" % (
                s, len(modes) + 1, dat)
        script += "unset multiplot\n"
        if gnuplot(out, "pages", script):
            made.append("pages.png")
    return made


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--raw", help="a run's raw output (build/share/bench-out)")
    ap.add_argument("--json", help="instead of --raw: a stored results.json to "
                    "report again (tables and targets; no plots)")
    ap.add_argument("--out", required=True)
    ap.add_argument("--command", default="make bench")
    ap.add_argument("--console")
    ap.add_argument("--results-md", help="also write this RESULTS.md (plots linked from plots/)")
    a = ap.parse_args()
    if a.json:
        res = json.load(open(a.json))
        os.makedirs(a.out, exist_ok=True)
        md = markdown(res)
        with open(os.path.join(a.out, "results.md"), "w") as f:
            f.write(md)
        print(md)
        return
    if not a.raw:
        sys.exit("report: --raw or --json is needed")
    runs, order = [], []
    for d in sorted(os.listdir(a.raw)):
        p = os.path.join(a.raw, d)
        if os.path.isdir(p):
            try:
                runs.append(parse_run(p))
            except (OSError, ValueError, KeyError) as e:
                meta = read_kv(os.path.join(p, "meta"))
                runs.append({"scenario": "%s-%s" % (meta.get("scenario"), meta.get("variant")),
                             "mode": meta.get("mode"), "rep": int(meta.get("rep", 0)),
                             "wall_s": 0, "metrics": {}, "problems": ["unreadable output: %s" % e]})
            if runs[-1]["mode"] not in order:
                order.append(runs[-1]["mode"])
    if not runs:
        sys.exit("report: no runs in %s" % a.raw)
    res = {"environment": environment(a.raw, a.console, a.command),
           "params": {"reps": max(r["rep"] for r in runs)},
           "modes": order, "runs": runs, "medians": median_table(runs)}
    prof = os.path.join(a.raw, "store-profile.txt")
    if os.path.exists(prof):
        res["store_profile"] = open(prof).read()
    cfg = os.path.join(a.raw, "..", "bench", "config")
    if os.path.exists(cfg):
        res["params"].update({k.lower(): int(v) if v.isdigit() else v
                              for k, v in read_kv(cfg).items()})
    os.makedirs(a.out, exist_ok=True)
    with open(os.path.join(a.out, "results.json"), "w") as f:
        json.dump(res, f, indent=1)
    md = markdown(res)
    made = plots(res, a.out)
    with open(os.path.join(a.out, "results.md"), "w") as f:
        f.write(md + "\n" + "".join("![%s](%s)\n" % (p, p) for p in made))
    print(md)
    if a.results_md:
        with open(a.results_md, "w") as f:
            f.write("# Benchmark results\n\nThe latest full run of `make bench` (see `bench/README.md`). "
                    "Raw figures with every repetition: `bench/results.json`.\n\n"
                    "Read them as ratios between modes of one run. Under TCG the CPU work of "
                    "compression is slowed far more than the swap disk, a sparse file the host "
                    "serves from its page cache: `swap` looks better here than against a real "
                    "disk on real hardware.\n\n")
            f.write(md + "\n" + "".join("![%s](plots/%s)\n\n" % (p, p) for p in made))
    bad = [r for r in runs if r["problems"]]
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
