#!/usr/bin/env python3
"""neac benchmarks. Each figure is a median of several whole-process runs, measured in the same
run as the peer or limit it is compared with (absolute times drift on a shared machine)."""
import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
NEAC = os.path.join(ROOT, "build", "neac")
MiB = 1 << 20


def run(cmd, env=None, stdout=subprocess.DEVNULL):
    """Runs a command; returns (wall seconds, peak RSS in MiB)."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, env=env, stdout=stdout, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    err = proc.stderr.read().decode(errors="replace")
    proc.stderr.close()
    if os.waitstatus_to_exitcode(status) != 0:
        sys.exit(f"bench: command failed: {' '.join(cmd)}\n{err}")
    return wall, usage.ru_maxrss / 1024


def median_of(fn, runs):
    walls, rss = [], []
    fn()  # warm-up: page cache, dynamic loader
    for _ in range(runs):
        w, r = fn()
        walls.append(w)
        rss.append(r)
    return statistics.median(walls), max(rss)


def bench_sign(work, env, quick):
    pki = os.path.join(work, "pki")
    subprocess.run(["bash", os.path.join(ROOT, "tests/support/make_pki.sh"), pki], check=True)
    p12 = os.path.join(pki, "signer-rsa.p12")
    env = dict(env, BENCH_P12_PASSWORD="test123")
    subprocess.run([NEAC, "profile", "add", "bench", "--display-name", "NGUYỄN VĂN A",
                    "--phone", "0912345678", "--account", "001099012345", "--provider", "pkcs12",
                    "--pkcs12", p12, "--password-env", "BENCH_P12_PASSWORD", "--force"],
                   env=env, check=True, stdout=subprocess.DEVNULL)
    make_pdf = os.path.join(ROOT, "tests/support/make_pdf.py")
    runs = 3 if quick else 5
    sizes = [1, 50] if quick else [1, 50, 300]
    print(f"sign: RSA-2048 PKCS#12, SHA-256, median of {runs} runs after one warm-up")
    print(f"{'size':>7} {'floor s':>8} {'neac s':>8} {'mutool s':>9} {'neac/floor':>11} "
          f"{'neac/mutool':>12} {'neac RSS MiB':>13}")
    results = []
    for size in sizes:
        src = os.path.join(work, f"in-{size}.pdf")
        subprocess.run([sys.executable, make_pdf, src, "--pages", "10", "--sig-field", "Sig1",
                        "--pad-bytes", str(size * MiB - 8000)], check=True)
        out = os.path.join(work, "out.pdf")

        def floor():
            if os.path.exists(out):
                os.unlink(out)
            w1, _ = run(["openssl", "dgst", "-sha256", src])
            w2, _ = run(["cp", src, out])
            return w1 + w2, 0

        def neac():
            if os.path.exists(out):
                os.unlink(out)
            return run([NEAC, "-q", "sign", src, "--profile", "bench", "--field", "Sig1",
                        "-o", out], env=env)

        def mutool():
            if os.path.exists(out):
                os.unlink(out)
            return run(["mutool", "sign", "-s", p12, "-P", "test123", "-o", out, src])

        f, _ = median_of(floor, runs)
        n, rss = median_of(neac, runs)
        m, _ = median_of(mutool, runs)
        print(f"{size:>4}MiB {f:8.3f} {n:8.3f} {m:9.3f} {n / f:11.2f} {n / m:12.2f} {rss:13.1f}")
        results.append((size, f, n, m, rss))
        os.unlink(src)

    count = 100 if quick else 500
    batch = os.path.join(work, "batch")
    outdir = os.path.join(work, "batch-out")
    os.makedirs(batch)
    os.makedirs(outdir)
    files = []
    for i in range(count):
        path = os.path.join(batch, f"doc-{i:04d}.pdf")
        subprocess.run([sys.executable, make_pdf, path, "--sig-field", "Sig1"], check=True)
        files.append(path)
    start = time.perf_counter()
    run([NEAC, "-q", "sign", *files, "--profile", "bench", "--field", "Sig1", "--out-dir",
         outdir], env=env)
    neac_wall = time.perf_counter() - start
    start = time.perf_counter()
    for path in files:
        run(["mutool", "sign", "-s", p12, "-P", "test123", "-o",
             os.path.join(outdir, "m-" + os.path.basename(path)), path])
    mutool_wall = time.perf_counter() - start
    print(f"batch: {count} one-page PDFs: neac one call {neac_wall:.2f} s "
          f"({count / neac_wall:.0f} files/s); mutool shell loop {mutool_wall:.2f} s "
          f"({count / mutool_wall:.0f} files/s); ratio {mutool_wall / neac_wall:.1f}x")
    worst = max(n / f for _, f, n, _, _ in results)
    peak = max(r for *_, r in results)
    print(f"targets: neac/floor <= 1.2 (worst {worst:.2f}), neac < mutool "
          f"({'met' if all(n < m for _, _, n, m, _ in results) else 'NOT met'}), "
          f"peak RSS < 64 MiB ({peak:.1f})")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("which", nargs="*", default=["sign"])
    ap.add_argument("--quick", action="store_true", help="smaller inputs and fewer runs")
    a = ap.parse_args()
    work = tempfile.mkdtemp(prefix="neac-bench.")
    env = dict(os.environ, NEAC_HOME=os.path.join(work, "home"))
    try:
        for which in a.which:
            if which == "sign":
                bench_sign(work, env, a.quick)
            else:
                sys.exit(f"bench: unknown benchmark '{which}' (known: sign)")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
