#!/usr/bin/env bash
# Crash safety: `neac sign` killed with SIGKILL at 20 points of a 100-file batch, spread over the
# four phases (preparing the files, waiting for the phone, finishing them, and the renames over
# the originals of --in-place), each point chosen pseudo-randomly from a fixed seed. After each
# kill `neac sign --resume`, `--abandon` or the same `neac sign` again cleans up and finishes:
#   - every original is byte-identical (with --in-place: the original, or a complete valid signed
#     file, never anything in between);
#   - no temporary file is left in the input and output folders or in the neac home, including
#     those of a run killed before its request was sent (the journal names them beforehand);
#   - no request is sent twice and each approval is finished exactly once: the provider simulator
#     counts the requests, the journal holds one finished (or abandoned) row per request, and
#     every output holds the input's bytes and exactly one signature, which `neac verify` (and
#     pdfsig, for a sample) accepts.
# The kills are triggered by what the run does (inotify on the folder: the Nth temporary file
# made, the Nth rename into place; the "waiting for approval" note), not by timers, and where each
# one landed is read back from the journal: the test fails unless every phase was hit.
# CRASH_SEED=N picks other points (the default seed is what CI runs).
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/remote_lib.sh"

FILES=100
SEED=${CRASH_SEED:-1305}
out="$tmp/out"
work="$tmp/work"
mkdir -p "$out" "$work"

# The phone approves every request 1.5 s after it arrives; neac polls once a second, so a run
# waits 2 s and a kill up to 1.1 s after its "waiting for approval" note lands in the wait.
start_sim --auto approve --after 1500
add_remote_profile p vnpt-smartca
make_inputs "$FILES"
# The journal exists before the first kill.
expect_exit 0 "$NEAC" sign --resume

# One Python process per step (Python starts slowly on a loaded machine):
#   crash.py plan SEED                the 20 points: VARIANT PHASE N AFTER, shuffled
#   crash.py kill VARIANT PHASE N DIR -- CMD...
#       runs CMD, watches DIR with inotify and sends SIGKILL when the run gets there: prepare =
#       the Nth temporary file created in DIR, wait = N ms after stderr says "waiting for
#       approval", finish/rename = the Nth signed file renamed into DIR. Then reads where it
#       landed from the journal (no new transaction: prepare; pending: wait; approved: finish or
#       rename; a run that ended first: late) and prints one JSON object.
#   crash.py check KILL.json AFTER DIR VERIFY.json DONE...
#       everything the test promises after the clean-up (see the messages), for the files DONE
#       that now hold a signature.
# Environment: CRASH_DIR ($tmp), CRASH_JOURNAL, CRASH_HOME, CRASH_SIM, CRASH_FILES.
export CRASH_DIR="$tmp" CRASH_JOURNAL="$NEAC_HOME/journal.db" CRASH_HOME="$NEAC_HOME" \
    CRASH_SIM="$SIM_URL" CRASH_FILES="$FILES"
cat >"$tmp/crash.py" <<'PY'
import ctypes, hashlib, json, os, random, re, select, signal, sqlite3, struct, subprocess, sys
import time, urllib.request

env = os.environ
FINAL = re.compile(r"^in-[0-9]+(\.signed)?\.pdf$")


def journal(query, *args):
    db = sqlite3.connect(env["CRASH_JOURNAL"], timeout=10)
    try:
        return db.execute(query, args).fetchall()
    finally:
        db.close()


def sim_stats():
    with urllib.request.urlopen(env["CRASH_SIM"] + "/_sim/stats", timeout=10) as r:
        return json.load(r)


def strays(folder):
    return sorted(n for n in os.listdir(folder) if not FINAL.match(n))


def plan(seed):
    rng = random.Random(seed)
    points = []
    def add(variant, phase, afters):
        for after in afters:
            n = {"wait": lambda: rng.randint(0, 1100), "prepare": lambda: rng.randint(3, 95)}.get(
                phase, lambda: rng.randint(2, 90))()
            points.append((variant, phase, n, after))
    # A kill while preparing is also followed by the same `neac sign` again (rerun), which must
    # clean up by itself; only an open request can be abandoned.
    add("out-dir", "prepare", ["resume", "resume", "rerun", "resume"])
    add("out-dir", "wait", ["resume", "abandon", "resume", "resume"])
    add("out-dir", "finish", ["resume", "abandon", "resume", "resume"])
    add("in-place", "prepare", ["resume", "rerun"])
    add("in-place", "wait", ["resume", "abandon"])
    add("in-place", "rename", ["resume", "abandon", "resume", "resume"])
    rng.shuffle(points)
    for p in points:
        print(*p)


def kill(variant, phase, n, folder, cmd):
    rows_before = journal("SELECT count(*) FROM transactions")[0][0]
    requests_before = sim_stats()["sign_requests"]
    libc = ctypes.CDLL(None, use_errno=True)
    IN_CREATE, IN_MOVED_TO = 0x100, 0x80
    fd = libc.inotify_init1(os.O_NONBLOCK | os.O_CLOEXEC)
    if fd < 0 or libc.inotify_add_watch(fd, folder.encode(), IN_CREATE | IN_MOVED_TO) < 0:
        sys.exit("inotify: " + os.strerror(ctypes.get_errno()))
    errfile = os.path.join(env["CRASH_DIR"], "sign.err")
    created = renamed = 0
    noted_at = None
    with open(errfile, "wb") as err:
        proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=err)
    deadline = time.monotonic() + 120
    while proc.poll() is None and time.monotonic() < deadline:
        if select.select([fd], [], [], 0.002)[0]:
            buf = os.read(fd, 65536)
            i = 0
            while i < len(buf):
                _, mask, _, length = struct.unpack_from("iIII", buf, i)
                name = buf[i + 16:i + 16 + length].rstrip(b"\0").decode()
                i += 16 + length
                if mask & IN_CREATE and not FINAL.match(name):
                    created += 1
                elif mask & IN_MOVED_TO and FINAL.match(name):
                    renamed += 1
        if phase == "prepare":
            fire = created >= n
        elif phase == "wait":
            if noted_at is None:
                with open(errfile, "rb") as e:
                    if b"waiting for approval" in e.read():
                        noted_at = time.monotonic()
            fire = noted_at is not None and time.monotonic() >= noted_at + n / 1000
        else:
            fire = renamed >= n
        if fire:
            try:
                os.kill(proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            break
    rc = proc.wait()
    killed = rc == -signal.SIGKILL
    rows = journal("SELECT count(*) FROM transactions")[0][0]
    last = journal("SELECT state, COALESCE(txn_id, '') FROM transactions ORDER BY id DESC LIMIT 1")
    state, txn = last[0] if last else ("", "")
    if not killed:
        landed = "late"
    elif rows == rows_before:
        landed = "prepare"
    elif state == "pending":
        landed = "wait"
    elif state == "approved":
        landed = "rename" if variant == "in-place" else "finish"
    else:
        landed = state  # submitting, finished...: the test fails on these
    print(json.dumps({
        "variant": variant, "planned": phase, "n": n, "landed": landed, "rc": rc,
        "created": created, "renamed": renamed, "txn": txn if rows > rows_before else "",
        "requests_before": requests_before, "requests_at_kill": sim_stats()["sign_requests"],
        "strays_at_kill": len(strays(folder)),
        "noted_at_kill": journal("SELECT count(*) FROM temporaries")[0][0]}))


def check(kill_file, after, folder, verify_file, done):
    k = json.load(open(kill_file))
    files = int(env["CRASH_FILES"])
    problems = []
    def expect(ok, what):
        if not ok:
            problems.append(what)
    tmp, home = env["CRASH_DIR"], env["CRASH_HOME"]
    # The home first: this process's own journal connection must not be what is seen there.
    extra = []
    for root, _, names in os.walk(home):
        for name in names:
            rel = os.path.relpath(os.path.join(root, name), home)
            if rel not in ("journal.db", "profiles/p.yaml"):
                extra.append(rel)
    expect(not extra, f"files left in the neac home: {extra}")
    for f in (folder, os.path.join(tmp, "in")):
        expect(not strays(f), f"temporary files left in {f}: {strays(f)[:3]}")
    if k["variant"] == "in-place":
        missing = sorted(set(open(os.path.join(tmp, "sums")).read().split()[1::2]) -
                         set(os.listdir(folder)))
        expect(not missing, f"files missing after --in-place: {missing[:3]}")
    originals = {}
    for line in open(os.path.join(tmp, "sums")):
        digest, name = line.split()
        originals[name] = digest
        data = open(os.path.join(tmp, "in", name), "rb").read()
        expect(hashlib.sha256(data).hexdigest() == digest, f"the original {name} changed")
    expect(journal("SELECT count(*) FROM temporaries")[0][0] == 0,
           "temporary files still noted in the journal")
    expect(journal("SELECT count(*) FROM transactions WHERE state IN "
                   "('submitting', 'pending', 'approved')")[0][0] == 0,
           "a transaction is still open")
    stats = sim_stats()
    requests = stats["sign_requests"]
    expect(requests == journal("SELECT count(*) FROM transactions")[0][0],
           "the simulator saw a request the journal does not hold, or one twice")

    # How many files must be signed now, and by which request.
    landed, txn = k["landed"], k["txn"]
    if after == "abandon":
        expect(landed in ("wait", "finish", "rename"), f"abandoned after a kill in {landed}")
        expect(journal("SELECT state FROM transactions WHERE txn_id = ?", txn) == [("abandoned",)],
               f"transaction {txn} is not abandoned")
        expected = journal("SELECT count(*) FROM files f JOIN transactions t ON t.id = f.txn "
                           "WHERE t.txn_id = ? AND f.outcome = 'signed'", txn)[0][0]
        if landed == "wait":
            expect(expected == 0, "files signed for a request abandoned while waiting")
        expect(requests == k["requests_before"] + 1, "a second request was sent")
    elif landed == "prepare" and after == "resume":
        expected = 0
        expect(k["strays_at_kill"] > 0, "a kill while preparing left no temporary file to clean")
        expect(k["noted_at_kill"] >= k["strays_at_kill"],
               "temporary files the journal did not name before they were made")
        expect(requests == k["requests_before"], "a request was sent for a run killed preparing")
    else:
        expected = files
        last, state = journal("SELECT id, state FROM transactions ORDER BY id DESC LIMIT 1")[0]
        expect(state == "finished", f"the last transaction is {state}")
        expect(journal("SELECT count(*) FROM files WHERE txn = ? AND outcome = 'signed'", last)
               == [(files,)], "not every file of the batch is recorded as signed")
        expect(requests == k["requests_before"] + 1, "not exactly one request for the batch")
        if after == "resume":
            # The request of the killed run is the one finished: approved once, no other one.
            mine = [t["status"] for t in stats["transactions"] if t["id"] == txn]
            expect(mine == ["approved"], f"transaction {txn} at the simulator: {mine}")
    expect(len(done) == expected, f"{len(done)} files hold a signature, expected {expected}")

    # Every signed file: the original's bytes, then one revision with one signature, and
    # neac verify passed it (the originals of --in-place are in $tmp/in, byte-identical).
    for path in done:
        name = os.path.basename(path).replace(".signed.pdf", ".pdf")
        data = open(path, "rb").read()
        original = open(os.path.join(tmp, "in", name), "rb").read()
        expect(data.startswith(original), f"{path} does not begin with the original's bytes")
        expect(data.count(b"/ByteRange") == 1, f"{path} holds {data.count(b'/ByteRange')} "
               "signatures")
    if done:
        report = json.load(open(verify_file))
        checked = {f["file"]: f for f in report["files"]}
        for path in done:
            f = checked.get(path, {})
            expect(f.get("indication") == "PASSED" and len(f.get("signatures", [])) == 1,
                   f"neac verify: {path}: {f.get('indication')} {f.get('summary')}")
    if problems:
        print("\n".join(problems[:10]))
        sys.exit(1)


if __name__ == "__main__":
    what, args = sys.argv[1], sys.argv[2:]
    if what == "plan":
        plan(int(args[0]))
    elif what == "kill":
        kill(args[0], args[1], int(args[2]), args[3], args[args.index("--") + 1:])
    else:
        check(args[0], args[1], args[2], args[3], args[4:])
PY
crash() { python3 "$tmp/crash.py" "$@"; }

crash plan "$SEED" >"$tmp/plan"
assert_eq "$(wc -l <"$tmp/plan")" 20 "kill points"
step "seed $SEED: $(awk '{print $1 "/" $2 "/" $3 "/" $4}' "$tmp/plan" | tr '\n' ' ')"

point=0
started=$(date +%s)
while read -r variant phase n after; do
    point=$((point + 1))
    if [ "$variant" = in-place ]; then
        rm -rf "$work" && cp -a "$tmp/in" "$work"
        dir=$work
        mapfile -t files < <(inputs | sed "s|^$tmp/in/|$work/|")
        cmd=("$NEAC" sign "${files[@]}" --profile p --in-place)
    else
        rm -rf "$out" && mkdir -p "$out"
        dir=$out
        mapfile -t files < <(inputs)
        cmd=("$NEAC" sign "${files[@]}" --profile p --out-dir "$out")
    fi
    crash kill "$variant" "$phase" "$n" "$dir" -- "${cmd[@]}" >"$tmp/kill.$point.json" ||
        fail "point $point: kill failed"
    landed=$(sed 's/.*"landed": "\([a-z]*\)".*/\1/' "$tmp/kill.$point.json")
    txn=$(sed 's/.*"txn": "\([^"]*\)".*/\1/' "$tmp/kill.$point.json")
    step "point $point: $variant, kill at $phase $n: landed in $landed; then $after"
    # A run that ended before its kill has nothing to abandon (the summary counts these).
    [ "$landed" != late ] || after=resume

    case $after in
    resume)
        run "$NEAC" sign --resume
        [ "$status" -eq 0 ] || fail "--resume after a kill in $landed: exit $status"
        if [ "$landed" = prepare ]; then
            assert_contains "$(cat "$ERR")" "nothing to resume"
            assert_contains "$(cat "$ERR")" "removed"
        fi
        ;;
    abandon)
        [ -n "$txn" ] || fail "no request to abandon after a kill in $landed"
        expect_exit 0 "$NEAC" sign --abandon "$txn"
        assert_contains "$(cat "$OUT")" "abandoned 1 transaction(s)"
        ;;
    rerun)
        expect_exit 0 "${cmd[@]}"
        assert_contains "$(cat "$ERR")" "removed"
        ;;
    esac

    # The files that hold a signature now: the outputs, or (in place) those that changed.
    if [ "$variant" = in-place ]; then
        mapfile -t done_files < <(cd "$work" && sha256sum -c "$tmp/sums" 2>/dev/null |
            sed -n "s|^\(.*\): FAILED\$|$work/\1|p")
    else
        mapfile -t done_files < <(find "$out" -name '*.signed.pdf')
    fi
    echo '{"files": []}' >"$tmp/verify.json"
    if [ "${#done_files[@]}" -gt 0 ]; then
        "$NEAC" --json verify "${done_files[@]}" --trust "$PKI/root-ca.pem" \
            --expect-signer 001099012345 --revocation none >"$tmp/verify.json" 2>"$tmp/verify.err" ||
            fail "point $point: neac verify fails on the signed files: $(tail -3 "$tmp/verify.err")"
        for f in "${done_files[0]}" "${done_files[-1]}"; do
            pdfsig "$f" 2>/dev/null | grep -q "Signature Validation: Signature is Valid." ||
                fail "point $point: pdfsig does not find $f valid"
        done
    fi
    crash check "$tmp/kill.$point.json" "$after" "$dir" "$tmp/verify.json" "${done_files[@]}" \
        >"$tmp/check.out" || fail "point $point ($variant, $landed, $after): $(cat "$tmp/check.out")"
done <"$tmp/plan"

step "nothing is left to resume"
expect_exit 0 "$NEAC" sign --resume
assert_contains "$(cat "$ERR")" "nothing to resume"

summary=$(cat "$tmp"/kill.*.json | sed 's/.*"landed": "\([a-z]*\)".*/\1/' | sort | uniq -c |
    awk '{printf "%s=%s ", $2, $1}')
step "kills landed: $summary($(($(date +%s) - started)) s)"
for phase in prepare wait finish rename; do
    count=$(grep -l "\"landed\": \"$phase\"" "$tmp"/kill.*.json | wc -l)
    [ "$count" -ge 3 ] || fail "only $count kill(s) landed in $phase: $summary"
done
late=$(grep -l '"landed": "late"' "$tmp"/kill.*.json | wc -l || true)
[ "$late" -le 2 ] || fail "$late kills came after the run had ended: $summary"
other=$(grep -L -E '"landed": "(prepare|wait|finish|rename|late)"' "$tmp"/kill.*.json || true)
[ -z "$other" ] || fail "kills landed elsewhere: $other"
pass
