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


def bench_verify(work, env, quick):
    """neac verify against one SHA-256 pass over the same file (the floor), and many small files
    in one call against a shell loop of pdfsig."""
    pki = os.path.join(work, "pki")
    subprocess.run(["bash", os.path.join(ROOT, "tests/support/make_pki.sh"), pki], check=True)
    root = os.path.join(pki, "root-ca.pem")
    env = dict(env, BENCH_P12_PASSWORD="test123")
    subprocess.run([NEAC, "profile", "add", "benchv", "--display-name", "NGUYỄN VĂN A",
                    "--phone", "0912345678", "--account", "001099012345", "--provider", "pkcs12",
                    "--pkcs12", os.path.join(pki, "signer-rsa.p12"), "--password-env",
                    "BENCH_P12_PASSWORD", "--force"], env=env, check=True,
                   stdout=subprocess.DEVNULL)
    make_pdf = os.path.join(ROOT, "tests/support/make_pdf.py")
    runs = 3 if quick else 5
    size = 50 if quick else 300
    src = os.path.join(work, "vbig.pdf")
    signed = os.path.join(work, "vbig.signed.pdf")
    subprocess.run([sys.executable, make_pdf, src, "--pages", "10",
                    "--pad-bytes", str(size * MiB - 8000)], check=True)
    subprocess.run([NEAC, "-q", "sign", src, "--profile", "benchv", "-o", signed, "--force"],
                   env=env, check=True, stdout=subprocess.DEVNULL)
    os.unlink(src)
    floor, _ = median_of(lambda: run(["openssl", "dgst", "-sha256", signed]), runs)
    neac, rss = median_of(lambda: run([NEAC, "-q", "verify", signed, "--trust", root], env=env),
                          runs)
    pdfsig, _ = median_of(lambda: run(["pdfsig", "-nocert", signed]), runs)
    print(f"verify: {size} MiB signed PDF, median of {runs} runs after one warm-up")
    print(f"  openssl dgst -sha256 {floor:.3f} s, neac verify {neac:.3f} s (peak RSS "
          f"{rss:.1f} MiB), pdfsig -nocert {pdfsig:.3f} s")
    print(f"  neac/openssl {neac / floor:.2f} (target <= 1.2), RSS target < 64 MiB: "
          f"{'met' if neac / floor <= 1.2 and rss < 64 else 'NOT met'}")
    os.unlink(signed)

    count = 200 if quick else 1000
    batch = os.path.join(work, "vbatch")
    out = os.path.join(work, "vbatch-signed")
    os.makedirs(batch)
    os.makedirs(out)
    files = []
    for i in range(count):
        path = os.path.join(batch, f"doc-{i:04d}.pdf")
        subprocess.run([sys.executable, make_pdf, path], check=True)
        files.append(path)
    subprocess.run([NEAC, "-q", "sign", *files, "--profile", "benchv", "--out-dir", out],
                   env=env, check=True, stdout=subprocess.DEVNULL)
    signed_files = sorted(os.path.join(out, f) for f in os.listdir(out))
    neac_wall, neac_rss = run([NEAC, "-q", "verify", out, "--trust", root], env=env)
    loop = "for f in \"$@\"; do pdfsig -nocert \"$f\" >/dev/null 2>&1 || true; done"
    loop_wall, _ = run(["sh", "-c", loop, "sh", *signed_files])
    print(f"verify batch: {count} one-page signed PDFs: neac one call {neac_wall:.2f} s "
          f"({count / neac_wall:.0f} files/s, peak RSS {neac_rss:.1f} MiB); pdfsig shell loop "
          f"{loop_wall:.2f} s ({count / loop_wall:.0f} files/s); ratio "
          f"{loop_wall / neac_wall:.1f}x")


def vi_page_ps(lines):
    """PostScript for one A4 page of Vietnamese text in DejaVu Sans; (x, y, size, text) lines.
    ASCII is shown as strings, other letters by glyph name, as PostScript programs do."""
    out = "<< /PageSize [595 842] >> setpagedevice\n"
    for x, y, size, text in lines:
        ops, run_ = [], ""
        for ch in text:
            if ord(ch) < 128:
                run_ += "\\" + ch if ch in "()\\" else ch
            else:
                if run_:
                    ops.append("(%s) show" % run_)
                    run_ = ""
                ops.append("/uni%04X glyphshow" % ord(ch))
        if run_:
            ops.append("(%s) show" % run_)
        out += "/DejaVuSans findfont %g scalefont setfont %g %g moveto %s\n" % (
            size, x, y, " ".join(ops))
    return out + "showpage\n"


def bench_locate(work, env, quick):
    """neac locate on a 1,000-page text-dense PDF (Ghostscript pages, assembled by qpdf), against
    pdftotext -bbox-layout on the same file: the last occurrence (neac reads backwards and stops)
    and every occurrence (both read every page)."""
    pages = 1000
    runs = 3 if quick else 5
    body = [(60, 780 - 18 * i, 10, "Dòng %d: Người làm đơn cam kết những nội dung kê khai trên là "
             "đúng sự thật; nếu sai xin chịu trách nhiệm trước pháp luật." % (i + 1))
            for i in range(40)]
    sign = [(340, 330, 12, "Điện Biên, ngày 26 tháng 11 năm 2026"),
            (385, 312, 13, "NGƯỜI LÀM ĐƠN"), (378, 296, 11, "(Ký, ghi rõ họ tên)"),
            (392, 215, 13, "Đặng Thị Ữ")]
    gs_env = dict(os.environ, GS_FONTPATH="/usr/share/fonts/truetype/dejavu")
    parts = {}
    for name, lines in (("body", body), ("sign", body[:20] + sign)):
        ps = os.path.join(work, name + ".ps")
        parts[name] = os.path.join(work, name + ".pdf")
        with open(ps, "w", encoding="utf-8") as f:
            f.write("%!PS\n" + vi_page_ps(lines))
        subprocess.run(["gs", "-q", "-dNOPAUSE", "-dBATCH", "-dSAFER", "-sDEVICE=pdfwrite",
                        "-sOutputFile=" + parts[name], ps], check=True, env=gs_env)
    big = os.path.join(work, "big.pdf")
    subprocess.run(["qpdf", "--empty", "--pages", parts["body"],
                    ",".join(["1"] * (pages - 1)), parts["sign"], "1", "--", big], check=True)
    out = os.path.join(work, "bbox.html")
    keyword = "Người làm đơn"
    last, rss = median_of(lambda: run([NEAC, "-q", "locate", big, "--keyword", keyword],
                                      env=env), runs)
    every, _ = median_of(lambda: run([NEAC, "-q", "--json", "locate", big, "--keyword", keyword,
                                      "--occurrence", "all"], env=env), runs)
    poppler, _ = median_of(lambda: run(["pdftotext", "-bbox-layout", big, out]), runs)
    print(f"locate: {pages}-page PDF ({os.path.getsize(big) / MiB:.1f} MiB, 40 lines a page), "
          f"median of {runs} runs after one warm-up")
    print(f"  neac locate (last)      {last:7.3f} s  peak RSS {rss:.1f} MiB")
    print(f"  neac locate --occurrence all {every:7.3f} s  ({pages * 40 + 1} matches)")
    print(f"  pdftotext -bbox-layout  {poppler:7.3f} s")
    print(f"  neac/pdftotext: last {last / poppler:.2f}, all {every / poppler:.2f}; "
          f"target: last occurrence < 2 s ({'met' if last < 2 else 'NOT met'})")


def bench_remote(work, env, quick):
    """N one-page PDFs through the provider simulator (tests/sim/provider_sim) with immediate
    approval, in one `neac sign` call: total time, per-file overhead against local signing
    (pkcs12, same files), HTTP requests, and sign requests == ceil(N / batch cap)."""
    import importlib.util
    import json
    import math
    import urllib.request
    count = 200 if quick else 1000
    pki = os.path.join(work, "pki")
    subprocess.run(["bash", os.path.join(ROOT, "tests/support/make_pki.sh"), pki], check=True)
    src = os.path.join(work, "remote-in")
    os.makedirs(src, exist_ok=True)
    script = os.path.join(ROOT, "tests/support/make_pdf.py")
    spec = importlib.util.spec_from_file_location("make_pdf", script)
    make_pdf = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(make_pdf)
    saved_argv = sys.argv
    files = []
    for i in range(count):
        files.append(os.path.join(src, f"doc-{i:04d}.pdf"))
        sys.argv = [script, files[-1]]
        make_pdf.main()
    sys.argv = saved_argv
    env = dict(env, BENCH_SP_ID="sim-sp-4184-0633", BENCH_SP_PW="sim-sp-pass-NGNhMzdm",
               BENCH_CSC_TOKEN="sim-csc-token-eyJhbGci", BENCH_P12_PASSWORD="test123")
    common = ["--display-name", "NGUYỄN VĂN A", "--phone", "0912345678", "--account",
              "001099012345", "--force"]
    subprocess.run([NEAC, "profile", "add", "bench-local", *common, "--provider", "pkcs12",
                    "--pkcs12", os.path.join(pki, "signer-rsa.p12"), "--password-env",
                    "BENCH_P12_PASSWORD"], env=env, check=True, stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL)

    def sign(profile):
        out = os.path.join(work, "remote-out")
        shutil.rmtree(out, ignore_errors=True)
        os.makedirs(out)
        return run([NEAC, "-q", "sign", *files, "--profile", profile, "--out-dir", out], env=env)

    local_wall, _ = sign("bench-local")
    print(f"remote: {count} one-page PDFs in one neac sign call, simulator approves at once")
    print(f"{'provider':>14} {'cap':>5} {'total s':>8} {'ms/file':>8} {'over local':>11} "
          f"{'HTTP req':>9} {'sign req':>9} {'expected':>9} {'RSS MiB':>8}")
    print(f"{'pkcs12 (local)':>14} {'-':>5} {local_wall:8.2f} {1000 * local_wall / count:8.2f} "
          f"{'-':>11} {'-':>9} {'-':>9} {'-':>9} {'-':>8}")
    worst = 0.0
    met = True
    for provider, cap, sim_args, flags in [
            ("vnpt-smartca", 1000, [], ["--sp-id-env", "BENCH_SP_ID", "--sp-password-env",
                                        "BENCH_SP_PW"]),
            ("csc", 250, ["--multisign", "250"], ["--token-env", "BENCH_CSC_TOKEN"])]:
        sim = subprocess.Popen([os.path.join(ROOT, "build", "tests", "provider_sim"), "--pki", pki,
                                "--auto", "approve", *sim_args], stdout=subprocess.PIPE, text=True)
        try:
            url = sim.stdout.readline().split()[-1]
            endpoint = url + ("/sca/sp769" if provider == "vnpt-smartca" else "/csc/v2")
            subprocess.run([NEAC, "profile", "add", "bench-remote", *common, "--provider",
                            provider, "--endpoint", endpoint, *flags], env=env, check=True,
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            wall, rss = sign("bench-remote")
            with urllib.request.urlopen(url + "/_sim/stats", timeout=10) as r:
                stats = json.load(r)
        finally:
            sim.terminate()
            sim.wait()
        expected = math.ceil(count / cap)
        met = met and stats["sign_requests"] == expected and stats["approvals"] == expected
        worst = max(worst, wall)
        print(f"{provider:>14} {cap:>5} {wall:8.2f} {1000 * wall / count:8.2f} "
              f"{1000 * (wall - local_wall) / count:8.2f} ms {stats['total_requests']:>9} "
              f"{stats['sign_requests']:>9} {expected:>9} {rss:8.1f}")
    target = 15 if count == 1000 else 15 * count / 1000
    print(f"targets: total < {target:.0f} s for {count} files (worst {worst:.2f} s: "
          f"{'met' if worst < target else 'NOT met'}); sign requests == ceil(N / cap) "
          f"({'met' if met else 'NOT met'})")


def bench_submit(work, env, quick):
    """neac submit of a dossier at the portal's size limit (check: type, size, SHA-256, verify;
    then create, chunked upload, submit) to the portal simulator on loopback, against the floor
    of hashing the same bytes once and sending them once (openssl dgst + one curl upload)."""
    make_pdf = os.path.join(ROOT, "tests/support/make_pdf.py")
    runs = 3 if quick else 5
    size = 20  # MiB: the default portal limit per component
    d = os.path.join(work, "dossier")
    os.makedirs(d)
    env = dict(env, NEAC_SANDBOX_DELAY="0", NEAC_PORTAL_TOKEN="sim-portal-token-Zm9v")
    subprocess.run([NEAC, "profile", "add", "benchs", "--display-name", "NGUYỄN VĂN A",
                    "--phone", "0912345678", "--account", "001099012345", "--provider",
                    "sandbox", "--force"], env=env, check=True, stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL)
    src = os.path.join(d, "scan.pdf")
    subprocess.run([sys.executable, make_pdf, src, "--pad-bytes", str(size * MiB - 80000)],
                   check=True)
    signed = os.path.join(d, "scan.signed.pdf")
    subprocess.run([NEAC, "-q", "sign", src, "--profile", "benchs", "-o", signed], env=env,
                   check=True, stdout=subprocess.DEVNULL)
    os.unlink(src)
    root = os.path.join(env["NEAC_HOME"], "sandbox", "root-ca.pem")
    sim = subprocess.Popen([os.path.join(ROOT, "build", "tests", "portal_sim"), "--db",
                            os.path.join(work, "portal.db"), "--store",
                            os.path.join(work, "portal-store"), "--trust", root,
                            "--max-bytes", str(64 * MiB)],
                           stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        url = sim.stdout.readline().strip().removeprefix("listening on ") + "/neac/v1"
        manifest = os.path.join(d, "dossier.yaml")
        counter = [0]

        def submit():
            # A new form value each run: a new dossier, so every run uploads every byte.
            counter[0] += 1
            with open(manifest, "w", encoding="utf-8") as f:
                f.write(f"portal: {{url: {url}, max-file-size: 64MB}}\n"
                        "procedure: {code: \"1.001193\"}\n"
                        "applicant: {name: NGUYỄN VĂN A, id: \"001099012345\", "
                        "phone: \"0912345678\"}\n"
                        f"form: {{lan: \"{counter[0]}\"}}\n"
                        "components:\n"
                        "  - {code: TP1, title: Scan, file: scan.signed.pdf, "
                        "signature: required}\n"
                        "policy: {trust: [sandbox]}\n")
            return run([NEAC, "-q", "submit", manifest], env=env)

        upload = (f"openssl dgst -sha256 '{signed}' >/dev/null && curl -s -o /dev/null -X PATCH "
                  f"-H 'Authorization: Bearer x' --data-binary @'{signed}' '{url}/floor'")
        floor, _ = median_of(lambda: run(["sh", "-c", upload]), runs)
        verify, _ = median_of(lambda: run([NEAC, "-q", "verify", signed, "--trust", root],
                                          env=env), runs)
        neac, rss = median_of(submit, runs)
    finally:
        sim.terminate()
        sim.wait()
    print(f"submit: one {size} MiB signed component to the portal simulator, median of {runs} "
          "runs after one warm-up")
    print(f"  floor (openssl dgst + one curl upload) {floor:.3f} s, neac verify {verify:.3f} s, "
          f"neac submit {neac:.3f} s (peak RSS {rss:.1f} MiB)")
    print(f"  neac submit / floor {neac / floor:.2f}; the rest is the check (verify) and the "
          "portal's own work (fsync per chunk, SHA-256 and signature check of the upload)")


def free_port():
    import socket
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def bench_ltv(work, env, quick):
    """PAdES B-LTA for a batch with one approval, against B-T for the same batch, with real
    revocation services on loopback (openssl ocsp, CRLs over HTTP, the TSA simulator); then
    neac extend over an archive of B-T files. Counts the OCSP and CRL requests: one per distinct
    certificate is the target."""
    pki = os.path.join(work, "ltv-pki")
    ocsp_port, crl_port = free_port(), free_port()
    subprocess.run(["bash", os.path.join(ROOT, "tests/support/make_ltv_pki.sh"), pki,
                    f"http://127.0.0.1:{ocsp_port}/", f"http://127.0.0.1:{crl_port}"], check=True)
    logs = {name: open(os.path.join(work, name + ".log"), "w+") for name in ("ocsp", "crl", "tsa")}
    procs = [
        subprocess.Popen(["openssl", "ocsp", "-index", os.path.join(pki, "ca/index.txt"), "-port",
                          str(ocsp_port), "-rsigner", os.path.join(pki, "ocsp.pem"), "-rkey",
                          os.path.join(pki, "ocsp.key"), "-CA",
                          os.path.join(pki, "issuing-ca.pem"), "-nmin", "60"],
                         stdout=logs["ocsp"], stderr=subprocess.STDOUT),
        subprocess.Popen([sys.executable, "-u", "-m", "http.server", str(crl_port), "--bind",
                          "127.0.0.1", "--directory", os.path.join(pki, "crl")],
                         stdout=logs["crl"], stderr=subprocess.STDOUT),
        subprocess.Popen([os.path.join(ROOT, "build/tests/tsa_sim"), "--port", "0", "--cert",
                          os.path.join(pki, "tsa.pem"), "--key", os.path.join(pki, "tsa.key"),
                          "--chain", os.path.join(pki, "chain.pem")],
                         stdout=logs["tsa"], stderr=subprocess.DEVNULL),
    ]

    def log(name):
        logs[name].flush()
        with open(logs[name].name) as f:
            return f.read()

    def requests():
        return log("ocsp").count("Received request"), log("crl").count(".crl HTTP")

    try:
        tsa = ""
        for _ in range(100):
            if "listening on" in log("tsa") and "waiting for OCSP" in log("ocsp"):
                tsa = log("tsa").split("listening on ")[1].split()[0]
                break
            time.sleep(0.1)
        if not tsa:
            sys.exit("bench: the LTV services did not start")
        env = dict(env, BENCH_P12_PASSWORD="test123")
        subprocess.run([NEAC, "profile", "add", "ltv", "--display-name", "NGUYỄN VĂN A",
                        "--phone", "0912345678", "--account", "001099012345", "--provider",
                        "pkcs12", "--pkcs12", os.path.join(pki, "signer.p12"), "--password-env",
                        "BENCH_P12_PASSWORD", "--force"], env=env, check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        make_pdf = os.path.join(ROOT, "tests/support/make_pdf.py")
        count = 20 if quick else 100
        batch = os.path.join(work, "ltv-in")
        os.makedirs(batch)
        files = []
        for i in range(count):
            path = os.path.join(batch, f"doc-{i:04d}.pdf")
            subprocess.run([sys.executable, make_pdf, path], check=True)
            files.append(path)
        walls = {}
        for level in ("B-T", "B-LTA"):
            out = os.path.join(work, "ltv-" + level)
            os.makedirs(out)
            before = requests()
            walls[level], _ = run([NEAC, "-q", "sign", *files, "--profile", "ltv", "--tsa", tsa,
                                   "--level", level, "--out-dir", out], env=env)
            after = requests()
            ocsp, crl = after[0] - before[0], after[1] - before[1]
            print(f"sign {count} files at {level}, one approval: {walls[level]:.2f} s, "
                  f"{ocsp} OCSP + {crl} CRL requests")
        extra = (walls["B-LTA"] - walls["B-T"]) / count
        print(f"B-LTA over B-T: {extra * 1000:.1f} ms per file "
              f"(ratio {walls['B-LTA'] / walls['B-T']:.2f}); target: 3 requests for the batch "
              f"(signer and TSA by OCSP, the issuing CA by the root's CRL)")

        archive = 200 if quick else 1000
        src = os.path.join(work, "archive")
        os.makedirs(src)
        for i in range(archive):
            shutil.copy(os.path.join(work, "ltv-B-T", os.path.basename(files[i % count])
                                     .replace(".pdf", ".signed.pdf")),
                        os.path.join(src, f"a-{i:05d}.pdf"))
        dst = os.path.join(work, "archive-out")
        os.makedirs(dst)
        before = requests()
        wall, rss = run([NEAC, "-q", "extend", src, "--level", "B-LTA", "--tsa", tsa,
                         "--out-dir", dst], env=env)
        after = requests()
        print(f"extend {archive} B-T files to B-LTA: {wall:.2f} s ({wall / archive * 1000:.1f} "
              f"ms per file), {after[0] - before[0]} OCSP + {after[1] - before[1]} CRL requests, "
              f"peak RSS {rss:.1f} MiB")
    finally:
        for p in procs:
            p.terminate()
            p.wait()
        for f in logs.values():
            f.close()


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
            elif which == "verify":
                bench_verify(work, env, a.quick)
            elif which == "locate":
                bench_locate(work, env, a.quick)
            elif which == "remote":
                bench_remote(work, env, a.quick)
            elif which == "submit":
                bench_submit(work, env, a.quick)
            elif which == "ltv":
                bench_ltv(work, env, a.quick)
            else:
                sys.exit(f"bench: unknown benchmark '{which}' "
                         "(known: sign, verify, locate, remote, submit, ltv)")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
