#!/usr/bin/env python3
"""bench_preload.py — what the LD_PRELOAD layer costs, and real programs on
every allocator against glibc, jemalloc, mimalloc and tcmalloc.

    cmake --build build --target bench-preload      (DMM_BENCH_QUICK=1: quicker)
    python3 bench/bench_preload.py --build build [--quick] [--scale N] [--only a,b] [--table-rows]

Two tables, one run (docs/preload.md, "Benchmark"):

1. The layer's cost per call. The same traces replayed by layer_bench
   (bench/layer_bench.c) through the allocator's module (modules/libdmm-NAME.so,
   dmm_malloc ... called directly) and through malloc ... of the preloaded
   library (LD_PRELOAD=preload/libdmm-preload-NAME.so): steady-state ns per
   call, the median of RUNS alternating runs (each the median of 7 steady
   replays), and the difference = the layer. Each allocator's row says the
   mode the layer ran in, as the layer itself reports it (DMM_PRELOAD_REPORT=1:
   SIZED when the allocator defines dmm_usable_size, TABLE otherwise), and
   a SIZED allocator is timed a third way, with DMM_PRELOAD_TABLE=1 (the
   fallback), in the same alternation: the two modes side by side. The
   baselines' malloc through LD_PRELOAD is shown for scale.
2. Wall time of real programs: python3 (PYTHONMALLOC=malloc, every object
   through malloc) on tests/programs/alloc_heavy.py, sqlite3 :memory:, GNU
   sort, and tests/programs/threads.c (4 threads), under LD_PRELOAD, best of
   3, milliseconds and the ratio to glibc. An output that differs from
   glibc's is marked "DIFF" (the preload tests say which). --table-rows adds
   a row "NAME/TABLE" (DMM_PRELOAD_TABLE=1) for every SIZED allocator.

Timing only: nothing here fails on a figure. Exit 2 on bad usage or a
missing build product, 0 otherwise.
"""
import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
SOURCE = os.path.dirname(HERE)
TRACES = ["python-dict", "sqlite-insert", "gcc-cc1"]  # recorded from real programs
BASELINE_FILES = {  # Debian's runtime packages (baselines/CMakeLists.txt)
    "jemalloc": "libjemalloc.so.2",
    "mimalloc": "libmimalloc.so.2",
    "tcmalloc": "libtcmalloc_minimal.so.4",
}


def fail(message):
    print("bench-preload: " + message, file=sys.stderr)
    sys.exit(2)


def find_baseline(name):
    for folder in ("/usr/lib/x86_64-linux-gnu", "/usr/lib64", "/usr/lib", "/usr/local/lib"):
        path = os.path.join(folder, BASELINE_FILES[name])
        if os.path.exists(path):
            return path
    return None


def run(command, env=None, stdin=None):
    """(seconds, stdout bytes, status) of one run."""
    start = time.monotonic()
    done = subprocess.run(command, env=env, input=stdin, stdout=subprocess.PIPE,
                          stderr=subprocess.DEVNULL, check=False)
    return time.monotonic() - start, done.stdout, done.returncode


def with_preload(library, extra=None):
    env = dict(os.environ)
    for name in ("DMM_CHECKED", "DMM_STATS", "DMM_PRELOAD_TABLE", "DMM_PRELOAD_REPORT"):
        env.pop(name, None)
    if library:
        env["LD_PRELOAD"] = library
    env.update(extra or {})
    return env


FORCE_TABLE = {"DMM_PRELOAD_TABLE": "1"}


def layer_mode(args, library, extra=None):
    """The mode the layer runs in, as it reports it at exit
    (DMM_PRELOAD_REPORT=1, preload.c): SIZED, TABLE, or "?"."""
    env = with_preload(library, dict(extra or {}, DMM_PRELOAD_REPORT="1"))
    done = subprocess.run([args.threads, "100"], env=env, stdout=subprocess.DEVNULL,
                          stderr=subprocess.PIPE, check=False)
    for line in done.stderr.decode(errors="replace").splitlines():
        words = line.split()
        if len(words) == 4 and words[0].startswith("dmm-preload[") and words[2] == "mode":
            return words[3]
    return "?"


# ---- 1. the layer's cost per call ------------------------------------------------

def layer_ns(layer_bench, env, mode_args, traces):
    """{trace: ns per call} of one layer_bench run."""
    _, out, status = run([layer_bench] + mode_args + traces, env=env)
    if status != 0:
        return None
    result = {}
    for line in out.decode().splitlines():
        name, _, ns = line.split()
        result[name] = float(ns)
    return result


def layer_table(args, allocators, baselines):
    traces = [os.path.join(SOURCE, "traces", t + ".trace") for t in TRACES]
    print("== The layer's cost per call: ns per call, steady state, median of %d runs" % args.runs)
    print("   module = dmm_malloc ... called directly; preload = malloc ... through")
    print("   libdmm-preload-NAME.so (LD_PRELOAD), in the mode the layer reported;")
    print("   layer = preload - module; TABLE forced = the same library with")
    print("   DMM_PRELOAD_TABLE=1 (SIZED allocators only: the others are TABLE already)")
    print("%-12s %-6s %-14s %8s %8s %8s %10s %8s" % ("allocator", "mode", "trace", "module", "preload",
                                                    "layer", "TABLE-fcd", "layer"))
    for name, library, module, mode in allocators:
        ways = [(with_preload(None), ["module", module]), (with_preload(library), ["libc"])]
        if mode == "SIZED":
            ways.append((with_preload(library, FORCE_TABLE), ["libc"]))
        samples = {t: [[] for _ in ways] for t in TRACES}
        for _ in range(args.runs):  # alternating: noise hits every way alike
            for i, (env, mode_args) in enumerate(ways):
                got = layer_ns(args.layer_bench, env, mode_args, traces)
                for t in TRACES:
                    if got and t in got:
                        samples[t][i].append(got[t])
        for t in TRACES:
            if not all(samples[t]):
                print("%-12s %-6s %-14s %8s" % (name, mode, t, "failed"))
                continue
            m, p, *forced = [statistics.median(v) for v in samples[t]]
            cells = "%10.1f %+8.1f" % (forced[0], forced[0] - m) if forced else "%10s %8s" % ("-", "-")
            print("%-12s %-6s %-14s %8.1f %8.1f %+8.1f %s" % (name, mode, t, m, p, p - m, cells))
        sys.stdout.flush()
    for name, library in [("glibc", None)] + baselines:
        rows = [layer_ns(args.layer_bench, with_preload(library), ["libc"], traces)
                for _ in range(args.runs)]
        for t in TRACES:
            values = [r[t] for r in rows if r and t in r]
            if values:
                print("%-12s %-6s %-14s %8s %8.1f" % (name, "", t, "-", statistics.median(values)))
    print()


# ---- 2. real programs ---------------------------------------------------------------

def make_input(lines):
    x, out = 12345, []
    letters = "abcdefghijklmnopqrstuvwxyz"
    for i in range(lines):
        x = (x * 1103515245 + 12345) % 2147483648
        out.append("%08x line %d %s\n" % (x, i, letters[x % 26:x % 26 + x % 13 + 1]))
    return "".join(out)


def programs(args, work):
    """[(name, command, stdin, extra env, allocators it is not run on)]."""
    python = "/usr/bin/python3" if os.path.exists("/usr/bin/python3") else shutil.which("python3")
    script = os.path.join(SOURCE, "tests", "programs", "alloc_heavy.py")
    rows = 20 * args.scale
    sql = ("CREATE TABLE t (id INTEGER PRIMARY KEY, k TEXT, v INTEGER);\n"
           "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < %d)\n"
           "INSERT INTO t (k, v) SELECT printf('key%%05d', (i * 7919) %% 10007), (i * 104729) %% 1000 FROM n;\n"
           "CREATE INDEX t_k ON t (k);\n"
           "SELECT count(*), sum(v), min(k), max(k) FROM t;\n"
           "UPDATE t SET k = k || '-' || v WHERE v %% 3 = 0;\n"
           "DELETE FROM t WHERE v %% 5 = 0;\n"
           "SELECT count(*), sum(length(k)) FROM t;\n" % (rows * 1000)).encode()
    text = os.path.join(work, "input.txt")
    with open(text, "w") as f:
        f.write(make_input(200 * 1000 * args.scale))
    return [
        # mmap: one mapping per object would pass vm.max_map_count (docs/preload.md)
        ("python", [python, script, str(10 * args.scale)], None, {"PYTHONMALLOC": "malloc"}, {"mmap"}),
        ("sqlite", ["sqlite3", ":memory:"], sql, {}, set()),
        ("sort", ["sort", "-k", "3", "-k", "1,1", text], None, {}, set()),
        ("threads", [args.threads, str(20000 * args.scale)], None, {}, set()),
    ]


def program_table(args, allocators, baselines):
    """Each program on every allocator in turn, best_of rounds: a burst of
    noise on the shared machine then hits every allocator alike, not one."""
    work = tempfile.mkdtemp(prefix="bench-preload-")
    try:
        table = programs(args, work)
        columns = [("glibc", None, {}, "")] + [(n, lib, {}, "") for n, lib in baselines]
        for name, library, _, mode in allocators:
            columns.append((name, library, {}, mode))
            if mode == "SIZED" and args.table_rows:
                columns.append((name + "/TABLE", library, FORCE_TABLE, "TABLE"))
        best, outputs, failures = {}, {}, {}
        for program, command, stdin, extra, skip in table:
            run(command, env=with_preload(None, extra), stdin=stdin)  # warm the page cache
            for _ in range(args.best_of):
                for name, library, force, _ in columns:
                    key = (name, program)
                    if name.split("/")[0] in skip or key in failures:
                        continue
                    seconds, out, status = run(command, env=with_preload(library, dict(extra, **force)),
                                               stdin=stdin)
                    if status != 0:
                        failures[key] = status
                        continue
                    best[key] = min(best.get(key, seconds), seconds)
                    outputs[key] = out
        print("== Real programs: wall time in ms, best of %d, ratio to glibc (LD_PRELOAD)" % args.best_of)
        print("   python: alloc_heavy.py %d rounds, PYTHONMALLOC=malloc (mmap: not run, see docs);"
              % (10 * args.scale))
        print("   sqlite: %d rows; sort: %d lines; threads: 4 x %d operations"
              % (20000 * args.scale, 200000 * args.scale, 20000 * args.scale))
        print("%-18s %-6s" % ("allocator", "mode") + "".join("%18s" % p[0] for p in table))
        for name, _, _, mode in columns:
            cells = []
            for program, *_ in table:
                key, glibc = (name, program), ("glibc", program)
                if key in failures:
                    cell = "status %d" % failures[key]
                elif key not in best:
                    cell = "-"
                else:
                    cell = "%d" % round(best[key] * 1000)
                    if glibc in best:
                        cell += " (%.2fx)" % (best[key] / best[glibc])
                    if glibc in outputs and outputs[key] != outputs[glibc]:
                        cell += " DIFF"
                cells.append("%18s" % cell)
            print("%-18s %-6s" % (name, mode) + "".join(cells))
    finally:
        shutil.rmtree(work, ignore_errors=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--build", required=True, help="the build folder")
    parser.add_argument("--layer-bench", help="layer_bench (default BUILD/bench/dmm-layer-bench)")
    parser.add_argument("--threads", help="threads.c built (default BUILD/bench/dmm-bench-threads)")
    parser.add_argument("--allocators", default="", help="comma-separated dmm allocators")
    parser.add_argument("--table-rows", action="store_true",
                        help="real programs on every SIZED allocator with DMM_PRELOAD_TABLE=1 too")
    parser.add_argument("--quick", action="store_true", help="fewer runs, smaller programs")
    parser.add_argument("--scale", type=int, default=1, help="programs' size (default 1)")
    parser.add_argument("--only", default="", help="only these allocators (comma-separated)")
    args = parser.parse_args()
    if os.environ.get("DMM_BENCH_QUICK") == "1":
        args.quick = True
    if args.scale < 1:
        fail("--scale: a positive number")
    args.runs = 3 if args.quick else 5
    args.best_of = 2 if args.quick else 3
    build = os.path.abspath(args.build)
    args.layer_bench = args.layer_bench or os.path.join(build, "bench", "dmm-layer-bench")
    args.threads = args.threads or os.path.join(build, "bench", "dmm-bench-threads")
    for path in (args.layer_bench, args.threads):
        if not os.access(path, os.X_OK):
            fail("%s is not built (cmake --build %s --target bench-preload)" % (path, args.build))
    names = [n for n in args.allocators.split(",") if n]
    if args.only:
        wanted = set(args.only.split(","))
        unknown = wanted.difference(names)
        if unknown:
            fail("--only: no allocator %s (known: %s)" % (", ".join(sorted(unknown)), ", ".join(names)))
        names = [n for n in names if n in wanted]
    allocators = []  # (name, preload library, module, mode the layer reports)
    for n in names:
        library = os.path.join(build, "preload", "libdmm-preload-%s.so" % n)
        module = os.path.join(build, "modules", "libdmm-%s.so" % n)
        for path in (library, module):
            if not os.path.exists(path):
                fail("%s is not built" % path)
        allocators.append((n, library, module, layer_mode(args, library)))
    baselines = []
    for name in ("jemalloc", "mimalloc", "tcmalloc"):
        path = find_baseline(name)
        if path:
            baselines.append((name, path))
        else:
            print("bench-preload: %s not installed (Debian: %s), left out" % (name, BASELINE_FILES[name]))
    if args.quick:  # the layer's cost where the targets are, and bins (SIZED since issue 14)
        layer_allocators = [a for a in allocators if a[0] in ("segregated", "gnu", "bins")]
    else:
        layer_allocators = allocators
    print("bench-preload: %s, %d cores; figures of one run on a shared machine are noisy"
          % (time.strftime("%Y-%m-%d %H:%M"), os.cpu_count() or 0))
    for mode in ("SIZED", "TABLE", "?"):
        having = [a[0] for a in allocators if a[3] == mode]
        if having:
            print("layer mode %s (DMM_PRELOAD_REPORT=1): %s" % (mode, ", ".join(having)))
    print()
    layer_table(args, layer_allocators, baselines)
    program_table(args, allocators, baselines)
    return 0


if __name__ == "__main__":
    sys.exit(main())
