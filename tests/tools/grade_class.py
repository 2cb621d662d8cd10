#!/usr/bin/env python3
"""grade_class.py — dmm-grade end to end, on the planted class.

The planted class (tests/support/grading/acts/*.act, each put in front of
tests/support/grading/implicit.c by tests/CMakeLists.txt) has one
submission per way a student can go wrong, and two that are right.
tests/support/grading/expected.csv says what each must get: its build
status, traces correct and a phrase its first failure must contain, with
the static checks (the default) and without them (--no-static-checks:
what the sandbox refuses at run time).

    grade_class.py MODE DMM_GRADE CLASS_DIR WORK_DIR

MODE is one of:
  static       the class graded as an instructor would (-j 2)
  sandbox      the same with --no-static-checks: the runtime layers
  determinism  the instruction cost twice: identical grade books
  shards       --shard K/N through GNU parallel (docs/grading/parallel.sh),
               merged; and every refusal of merge
  slurm        docs/grading/slurm-grade.sh as Slurm would run each task
  single       one submission: -g and --gradescope
  badinput     every kind of bad input: a clear error, exit 2, no book

Exit 0 when every check holds, 1 with the failed checks listed, 77 when
what the mode needs is not installed (CTest's skip).
"""
import csv
import json
import os
import shutil
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
SOURCE = os.path.dirname(os.path.dirname(HERE))
GRADING = os.path.join(SOURCE, "tests", "support", "grading")
CONFIG = os.path.join(GRADING, "class.conf")
EXPECTED = os.path.join(GRADING, "expected.csv")
SKIP = 77

failures = []


def check(condition, what):
    if not condition:
        failures.append(what)
    return condition


def run(args, **kwargs):
    return subprocess.run(args, capture_output=True, text=True, **kwargs)


def read_book(path):
    with open(path, newline="") as f:
        return {row["student"]: row for row in csv.DictReader(f)}


def expected_rows():
    with open(EXPECTED, newline="") as f:
        return list(csv.DictReader(f))


def grade(dmm_grade, class_dir, out, *options):
    if os.path.exists(out):
        shutil.rmtree(out)
    result = run([dmm_grade, "-q", "-c", CONFIG, "-o", out, *options, class_dir])
    check(result.returncode == 0,
          f"dmm-grade {' '.join(options)} exited {result.returncode}: {result.stderr}")
    book = os.path.join(out, "grades.csv")
    if not check(os.path.exists(book), f"no grade book at {book}"):
        return {}
    return read_book(book)


def mode_static(dmm_grade, class_dir, work, sandbox=False):
    options = ["-j", "2"] + (["--no-static-checks"] if sandbox else [])
    out = os.path.join(work, "sandbox" if sandbox else "static")
    book = grade(dmm_grade, class_dir, out, *options)
    column = "sandbox_first_failure" if sandbox else "first_failure"
    for row in expected_rows():
        student = row["student"]
        got = book.get(student)
        if not check(got is not None, f"{student}: not in the grade book"):
            continue
        phrase = row[column]
        if phrase:
            check(phrase in got["first_failure"],
                  f"{student}: first failure {got['first_failure']!r} lacks {phrase!r}")
            check(float(got["index"]) == 0.0,
                  f"{student}: failed (rule: all) but index {got['index']}")
        else:
            check(got["first_failure"] == "",
                  f"{student}: should pass every trace, failed: {got['first_failure']!r}")
            check(int(got["traces_correct"]) == int(got["traces"]),
                  f"{student}: {got['traces_correct']}/{got['traces']} traces correct")
            check(float(got["index"]) > 0, f"{student}: correct but index {got['index']}")
        if not sandbox:
            check(got["build"] == row["build"],
                  f"{student}: build {got['build']}, expected {row['build']}")
            check(got["traces_correct"] == row["traces_correct"],
                  f"{student}: {got['traces_correct']} traces correct, "
                  f"expected {row['traces_correct']}")
        # Every message names the student, never dmm_name() ("implicit").
        check("implicit" not in got["first_failure"],
              f"{student}: the message names dmm_name(): {got['first_failure']!r}")
        if got["first_failure"] and got["build"] == "ok":
            check(got["first_failure"].startswith(student + " on "),
                  f"{student}: the message does not start with the student: "
                  f"{got['first_failure']!r}")
    if sandbox:
        # What a student runs to see it: dmm-replay --sandbox on the module graded.
        replay = os.path.join(os.path.dirname(dmm_grade), "dmm-replay")
        module = os.path.join(out, "students", "writefile", "libdmm-writefile.so")
        trace = os.path.join(SOURCE, "traces", "coalesce.trace")
        result = run([replay, "--sandbox", "--repeat", "1", "-a", module, trace])
        check(result.returncode == 1 and "refused system call openat" in result.stdout,
              f"dmm-replay --sandbox: exit {result.returncode}, {result.stdout!r}")
        result = run([replay, "--sandbox", "-v", "-a", module, trace])
        check(result.returncode == 2 and "--sandbox" in result.stderr,
              f"dmm-replay --sandbox -v: exit {result.returncode}, {result.stderr!r}")
    good, loose = book.get("good"), book.get("nocoalesce")
    if good and loose:
        check(float(loose["utilization"]) < float(good["utilization"]),
              f"no coalescing should lower utilization: {loose['utilization']} "
              f">= {good['utilization']}")
    # Nothing a submission tried reached the machine.
    for planted in ("/tmp/dmm-grade-planted-writefile", "/tmp/dmm-grade-planted-forkexec"):
        check(not os.path.exists(planted), f"{planted} exists: the sandbox let it through")
    # The include's target never shows up in what a student reads.
    include = os.path.join(out, "students", "include")
    for name in ("feedback.txt", "feedback.html"):
        path = os.path.join(include, name)
        if check(os.path.exists(path), f"no {path}"):
            with open(path) as f:
                check("root:" not in f.read(), f"{path} shows /etc/passwd's contents")
    # Feedback for a failure: the table, the message, the commands to reproduce.
    crash = os.path.join(out, "students", "crash", "feedback.txt")
    if check(os.path.exists(crash), f"no {crash}"):
        with open(crash) as f:
            text = f.read()
        for phrase in ("crashed with SIGSEGV", "dmm-replay", "--sandbox", "-shared",
                       "coalesce"):
            check(phrase in text, f"crash's feedback lacks {phrase!r}")


def mode_determinism(dmm_grade, class_dir, work):
    if shutil.which("valgrind") is None:
        print("valgrind is not installed: the instruction cost cannot run")
        return SKIP
    few = os.path.join(work, "few")
    shutil.rmtree(few, ignore_errors=True)
    os.makedirs(few)
    for student in ("good", "nocoalesce", "crash"):
        shutil.copy(os.path.join(class_dir, student + ".c"), few)
    config = os.path.join(work, "instructions.conf")
    with open(CONFIG) as f:
        text = f.read().replace(os.path.join("..", "..", "..", "traces"),
                                os.path.join(SOURCE, "traces"))
    with open(config, "w") as f:
        f.write(text.replace("throughput relative glibc", "throughput instructions glibc")
                    .replace("timeout 4", "timeout 20"))
    books = []
    for attempt in (1, 2):
        out = os.path.join(work, f"instructions-{attempt}")
        shutil.rmtree(out, ignore_errors=True)
        result = run([dmm_grade, "-q", "-j", "2", "-c", config, "-o", out, few])
        check(result.returncode == 0, f"instruction cost, run {attempt}: {result.stderr}")
        path = os.path.join(out, "grades.csv")
        books.append(open(path).read() if os.path.exists(path) else "")
    check(books[0] != "" and books[0] == books[1],
          "two gradings with the instruction cost differ:\n" + books[0] + "\n" + books[1])
    good = read_book(os.path.join(work, "instructions-1", "grades.csv")).get("good")
    if check(good is not None, "good missing from the instruction-cost book"):
        check(float(good["throughput"]) > 0, f"good: instructions per op {good['throughput']}")
    return 0


DETERMINISTIC = ("student", "build", "warnings", "traces_correct", "traces", "utilization",
                 "class_size")


def same_grades(a, b, what):
    check(sorted(a) == sorted(b), f"{what}: students differ: {sorted(a)} / {sorted(b)}")
    for student in a:
        if student in b:
            for column in DETERMINISTIC:
                check(a[student][column] == b[student][column],
                      f"{what}: {student}'s {column}: {a[student][column]} / "
                      f"{b[student][column]}")


def small_class(class_dir, work):
    few = os.path.join(work, "five")
    shutil.rmtree(few, ignore_errors=True)
    os.makedirs(few)
    for student in ("good", "nocoalesce", "crash", "nocompile", "misaligned"):
        shutil.copy(os.path.join(class_dir, student + ".c"), few)
    return few


def mode_shards(dmm_grade, class_dir, work):
    if shutil.which("parallel") is None:
        print("GNU parallel is not installed (Debian: parallel)")
        return SKIP
    few = small_class(class_dir, work)
    whole = grade(dmm_grade, few, os.path.join(work, "whole"))
    out = os.path.join(work, "parallel")
    shutil.rmtree(out, ignore_errors=True)
    env = dict(os.environ, DMM_GRADE=dmm_grade)
    script = os.path.join(SOURCE, "docs", "grading", "parallel.sh")
    result = run(["sh", script, CONFIG, few, out, "3", "--sshlogin", ":"], env=env)
    check(result.returncode == 0, f"parallel.sh: {result.stderr}")
    merged = os.path.join(out, "grades.csv")
    if check(os.path.exists(merged), "parallel.sh wrote no merged book"):
        same_grades(whole, read_book(merged), "merged shards vs whole class")
        sizes = [len(read_book(os.path.join(out, f"shard-{k}", "grades.csv"))) for k in (1, 2, 3)]
        check(sizes == [2, 2, 1], f"shard sizes {sizes}, expected [2, 2, 1]")
    # merge refuses what is not a whole class, and writes nothing.
    books = [os.path.join(out, f"shard-{k}", "grades.csv") for k in (1, 2, 3)]
    target = os.path.join(work, "refused.csv")
    for args, phrase in (([books[0], books[1]], "missing"),
                         ([books[0], books[1], books[2], books[2]], "twice"),
                         ([books[0], books[1], CONFIG], "not a dmm-grade grade book")):
        if os.path.exists(target):
            os.remove(target)
        result = run([dmm_grade, "merge", "-o", target, *args])
        check(result.returncode == 2, f"merge {args}: exit {result.returncode}")
        check(phrase in result.stderr, f"merge {args}: {result.stderr!r} lacks {phrase!r}")
        check(not os.path.exists(target), f"merge {args} wrote a book")
    return 0


def mode_slurm(dmm_grade, class_dir, work):
    few = small_class(class_dir, work)
    whole = grade(dmm_grade, few, os.path.join(work, "whole-slurm"))
    out = os.path.join(work, "slurm")
    shutil.rmtree(out, ignore_errors=True)
    script = os.path.join(SOURCE, "docs", "grading", "slurm-grade.sh")
    for k in (1, 2):
        env = dict(os.environ, SLURM_ARRAY_TASK_ID=str(k), SLURM_ARRAY_TASK_COUNT="2",
                   SLURM_CPUS_PER_TASK="2", GRADE_CONFIG=CONFIG, SUBMISSIONS=few,
                   GRADE_OUT=out, DMM_GRADE=dmm_grade)
        result = run(["bash", script], env=env)
        check(result.returncode == 0, f"slurm task {k}: {result.stderr}")
    merged = os.path.join(out, "grades.csv")
    result = run([dmm_grade, "merge", "-o", merged,
                  os.path.join(out, "shard-1", "grades.csv"),
                  os.path.join(out, "shard-2", "grades.csv")])
    if check(result.returncode == 0, f"merge after slurm: {result.stderr}"):
        same_grades(whole, read_book(merged), "slurm shards vs whole class")
    return 0


def mode_single(dmm_grade, class_dir, work):
    out = os.path.join(work, "single")
    shutil.rmtree(out, ignore_errors=True)
    results = os.path.join(work, "results.json")
    result = run([dmm_grade, "-g", "--gradescope", results, "-c", CONFIG, "-o", out,
                  os.path.join(class_dir, "good.c")])
    check(result.returncode == 0, f"-g: {result.stderr}")
    lines = result.stdout.splitlines()
    check(len(lines) == 2 and lines[0] == "correct:4" and lines[1].startswith("perfidx:"),
          f"-g printed {lines!r}")
    if check(os.path.exists(results), "no results.json"):
        with open(results) as f:
            data = json.load(f)
        tests = data.get("tests", [])
        check(len(tests) == 4, f"results.json has {len(tests)} tests, expected 4 traces")
        check(all("score" in t and "max_score" in t and "output" in t for t in tests),
              "a results.json test lacks score, max_score or output")
        check(abs(sum(t["max_score"] for t in tests) - 100) < 1e-6,
              "the tests' max_score do not add up to the points")
        check(isinstance(data.get("score"), (int, float)) and data["score"] > 0,
              f"results.json score {data.get('score')}")
    result = run([dmm_grade, "-g", "-c", CONFIG, "-o", out, class_dir])
    check(result.returncode == 2 and "one submission" in result.stderr,
          f"-g on a class: exit {result.returncode}, {result.stderr!r}")
    return 0


def mode_badinput(dmm_grade, class_dir, work):
    bad = os.path.join(work, "bad")
    shutil.rmtree(bad, ignore_errors=True)
    os.makedirs(bad)

    def write(name, text):
        path = os.path.join(bad, name)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w") as f:
            f.write(text)
        return path

    good = os.path.join(class_dir, "good.c")
    one = os.path.join(bad, "one")
    os.makedirs(one)
    shutil.copy(good, one)
    trace = os.path.join(SOURCE, "traces", "coalesce.trace")
    broken_trace = write("broken.trace", "a 0 10\nq 1 2\n")
    empty = os.path.join(bad, "empty")
    os.makedirs(empty)
    notc = os.path.join(bad, "notc")
    os.makedirs(notc)
    shutil.copy(good, notc)
    write("notc/notes.txt", "hello\n")
    dup = os.path.join(bad, "dup")
    os.makedirs(os.path.join(dup, "alice"))
    shutil.copy(good, os.path.join(dup, "alice.c"))
    shutil.copy(good, os.path.join(dup, "alice", "mm.c"))
    cases = [
        ("missing config", ["-c", os.path.join(bad, "nothing.conf"), one],
         "nothing.conf"),
        ("malformed config", ["-c", write("typo.conf", f"trace {trace}\nutil-wieght 0.5\n"),
                              one], "typo.conf:2:"),
        ("malformed trace", ["-c", write("badtrace.conf", f"trace {broken_trace}\n"), one],
         "broken.trace:2:"),
        ("empty folder", ["-c", CONFIG, empty], "no submissions"),
        ("not C", ["-c", CONFIG, notc], "notes.txt"),
        ("duplicate IDs", ["-c", CONFIG, dup], "alice"),
        ("shard 3/2", ["-c", CONFIG, "--shard", "3/2", one], "3/2"),
    ]
    for what, args, phrase in cases:
        out = os.path.join(bad, "out-" + what.replace(" ", "-").replace("/", "-"))
        result = run([dmm_grade, "-q", "-o", out, *args])
        check(result.returncode == 2, f"{what}: exit {result.returncode}, expected 2")
        check(phrase in result.stderr, f"{what}: {result.stderr!r} lacks {phrase!r}")
        check("Traceback" not in result.stderr and result.returncode >= 0,
              f"{what}: crashed")
        check(not os.path.exists(os.path.join(out, "grades.csv")),
              f"{what}: a grade book was written")
    return 0


def main():
    if len(sys.argv) != 5:
        print(__doc__, file=sys.stderr)
        return 2
    mode, dmm_grade, class_dir, work = sys.argv[1:]
    os.makedirs(work, exist_ok=True)
    modes = {
        "static": lambda: mode_static(dmm_grade, class_dir, work) or 0,
        "sandbox": lambda: mode_static(dmm_grade, class_dir, work, sandbox=True) or 0,
        "determinism": lambda: mode_determinism(dmm_grade, class_dir, work),
        "shards": lambda: mode_shards(dmm_grade, class_dir, work),
        "slurm": lambda: mode_slurm(dmm_grade, class_dir, work),
        "single": lambda: mode_single(dmm_grade, class_dir, work),
        "badinput": lambda: mode_badinput(dmm_grade, class_dir, work),
    }
    if mode not in modes:
        print(f"unknown mode {mode!r}: one of {', '.join(modes)}", file=sys.stderr)
        return 2
    status = modes[mode]()
    if status == SKIP:
        return SKIP
    for failure in failures:
        print("FAIL:", failure)
    print(f"{mode}: {'ok' if not failures else str(len(failures)) + ' failed'}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
