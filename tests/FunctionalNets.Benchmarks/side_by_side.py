#!/usr/bin/env python3
"""Runs the workload runner and a PyTorch harness alternately and prints each figure's ratio, round by round.

    python3 tests/FunctionalNets.Benchmarks/side_by_side.py --torch PATH/anchors_torch.py [--rounds 3] [--avx2]
        [--pin 0,1] w1 w2 w3 w4 w5

Build first (`dotnet build -c Release`). Each round runs every workload once on each side, FunctionalNets first, so the
two sides of a ratio ran minutes apart at most. FunctionalNets' figure is its mean (total timed work over total wall
time); PyTorch's is its mean where the harness reports one (W3, W4) and its median otherwise. PyTorch runs in the tuned
environment for W1–W4 and in its default one for W5, which is faster there. `--avx2` disables AVX-512 on our side and
forces OpenBLAS's Haswell kernel on PyTorch's. `--pin 0,1` runs each round once per listed CPU with both sides pinned
to it: on a small VM one virtual CPU is often much slower than the other for minutes at a time, and a single-threaded
workload (W5) compares fairly only when both sides ran on the same one. W3 also reports each side's peak RSS.
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile

RUNNER = os.path.join(os.path.dirname(os.path.abspath(__file__)), "../../artifacts/bin/FunctionalNets.Benchmarks/release/FunctionalNets.Benchmarks.dll")
TUNED = {"OMP_WAIT_POLICY": "PASSIVE",
         "GLIBC_TUNABLES": "glibc.malloc.mmap_threshold=4294967296:glibc.malloc.trim_threshold=4294967296"}

# Workload → (our field, PyTorch's field) of the figure compared; W1 is per dtype and n.
FIELDS = {"w1": ("gflops_mean", "gflops"), "w2": ("steps_per_s_mean", "steps_per_s"),
          "w3": ("tokens_per_s_mean", "tokens_per_s_mean"), "w4": ("tokens_per_s_mean", "tokens_per_s_mean"),
          "w5": ("steps_per_s_mean", "steps_per_s")}


def run(command, env, pin):
    """The JSON lines a harness prints, and its peak RSS in MiB."""
    with tempfile.NamedTemporaryFile("r") as rss:
        prefix = (["taskset", "-c", pin] if pin is not None else []) + ["/usr/bin/time", "-o", rss.name, "-f", "%M"]
        out = subprocess.run(prefix + command, env=env, capture_output=True, text=True)
        if out.returncode != 0:
            sys.exit(f"side_by_side: {' '.join(command)} failed ({out.returncode}): {out.stderr.strip()[-400:]}")
        figures = [json.loads(line) for line in out.stdout.splitlines() if line.startswith("{")]
        return figures, int(rss.read().strip() or 0) / 1024


def figures(lines, workload, field):
    """Figure name → value for one harness's lines of one workload."""
    found = {}
    for d in lines:
        if d.get("workload", "").lower() != workload or field not in d:
            continue
        name = f"W1 {d['dtype']} n={d['n']}" if workload == "w1" else workload.upper()
        found[name] = d[field]
    return found


def environments(workload, avx2):
    ours, theirs = dict(os.environ), dict(os.environ)
    theirs.pop("OPENBLAS_L2_SIZE", None)
    theirs.pop("OPENBLAS_CORETYPE", None)
    if workload != "w5":
        theirs.update(TUNED)
    if avx2:
        ours["DOTNET_EnableAVX512"] = "0"
        theirs["OPENBLAS_CORETYPE"] = "Haswell"
    return ours, theirs


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--torch", required=True, help="the PyTorch harness (anchors_torch.py)")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--avx2", action="store_true")
    parser.add_argument("--pin", help="comma-separated CPUs: run every round pinned to each in turn")
    parser.add_argument("workloads", nargs="+", choices=sorted(FIELDS))
    args = parser.parse_args()
    if not os.path.exists(RUNNER):
        sys.exit(f"side_by_side: no runner at {RUNNER}; run `dotnet build -c Release` first")
    pins = args.pin.split(",") if args.pin else [None]
    print("round\tcpu\tfigure\tFunctionalNets\tPyTorch\tratio")
    for r in range(1, args.rounds + 1):
        for pin in pins:
            for w in args.workloads:
                ours_env, theirs_env = environments(w, args.avx2)
                ours, our_rss = run(["dotnet", RUNNER, w], ours_env, pin)
                theirs, their_rss = run(["/usr/bin/python3", args.torch, w], theirs_env, pin)
                a, b = figures(ours, w, FIELDS[w][0]), figures(theirs, w, FIELDS[w][1])
                for name in a:
                    if name in b:
                        print(f"{r}\t{pin or '-'}\t{name}\t{a[name]:,.1f}\t{b[name]:,.1f}\t{a[name] / b[name]:.2f}", flush=True)
                if w == "w3":
                    print(f"{r}\t{pin or '-'}\tW3 peak RSS (MiB)\t{our_rss:,.0f}\t{their_rss:,.0f}\t{our_rss / their_rss:.2f}", flush=True)


if __name__ == "__main__":
    main()
