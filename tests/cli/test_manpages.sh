#!/usr/bin/env bash
# Every man page renders without warnings (UTF-8, Vietnamese text included), and the pages agree
# with the binary: exit codes, the options of `neac profile add`, the profile example.
source "$(dirname "$0")/lib.sh"

command -v man >/dev/null || fail "man is not installed (scripts/setup installs man-db)"
man_dir="$NEAC_SOURCE_DIR/man"

for required in neac.1 neac-profile.1 neac-profile.5; do
    [ -f "$man_dir/$required" ] || fail "man/$required is missing"
done

shopt -s nullglob
pages=("$man_dir"/*.[15])
for page in "${pages[@]}"; do
    name=$(basename "$page")
    step "render $name"
    assert_eq "$(head -1 "$page")" '.\" -*- coding: UTF-8 -*-' "first line of $name"
    export MANWIDTH=80
    run man --warnings -E UTF-8 -l "$page"
    [ "$status" -eq 0 ] || fail "man exited $status for $name"
    [ ! -s "$ERR" ] || fail "$name renders with warnings: $(cat "$ERR")"
    [ -s "$OUT" ] || fail "$name renders empty"
done

# Wide rendering, one space between words, for the text comparisons below.
render() {
    MANWIDTH=250 man -E UTF-8 -l "$1" 2>/dev/null | tr -s ' \n' '  '
}

step "neac(1) lists every exit code of exit_code.hpp"
neac1=$(render "$man_dir/neac.1")
while IFS=$'\t' read -r code meaning; do
    assert_contains "$neac1" "$code $meaning" "neac(1) exit status table"
done < <(python3 - "$NEAC_SOURCE_DIR/lib/include/neac/util/exit_code.hpp" <<'PY'
import re, sys
text = open(sys.argv[1], encoding="utf-8").read()
codes = dict(re.findall(r"(\w+) = (\d+),", text))
docs = text[text.index("kExitCodeDocs"):]
for name, meaning in re.findall(r'\{ExitCode::(\w+),\s*"((?:[^"]|"\s*")*)"\}', docs):
    print(codes[name] + "\t" + re.sub(r'"\s*"', "", meaning))
PY
)
assert_contains "$neac1" "Any other code is a bug."

step "neac-profile(1) documents every option of 'neac profile add'"
profile1=$(render "$man_dir/neac-profile.1")
"$NEAC" profile add --help >"$tmp/add-help.txt"
options=$(grep -oE '^ +--[a-z0-9-]+' "$tmp/add-help.txt" | tr -d ' ' | grep -v '^--help$')
[ -n "$options" ] || fail "no options found in 'neac profile add --help'"
for option in $options; do
    assert_contains "$profile1" "$option" "neac-profile(1)"
done

step "neac-profile(5) documents every provider setting, and its example parses"
profile5=$(render "$man_dir/neac-profile.5")
for option in $options; do
    case "$option" in
    --display-name | --phone | --image | --keyword | --placement | --offset | --box | --width | \
        --height | --occurrence | --reason | --location | --tsa | --level | --account | --provider | \
        --default | --force | --add-signature) ;;
    *) assert_contains "$profile5" "${option#--}" "neac-profile(5) setting" ;;
    esac
done
MANWIDTH=200 man -E UTF-8 -l "$man_dir/neac-profile.5" 2>/dev/null |
    sed -n '/^EXAMPLE/,/^TOP-LEVEL KEYS/p' | sed '1d;$d' | sed 's/^           //' >"$tmp/example.yaml"
expect_exit 0 "$NEAC" profile show "$tmp/example.yaml" --json
json_check "$OUT" 'd["profile"]["name"] == "an" and d["profile"]["locator"]["keyword"] == "Người làm đơn"'

step "every command has its page, and each page names every option of its command"
commands=$("$NEAC" --help | sed -n '/^Subcommands:/,/^$/p' | awk 'NR > 1 && NF {print $1}' | grep -v '^help$')
[ -n "$commands" ] || fail "no commands in 'neac --help'"
for cmd in $commands; do
    [ -f "$man_dir/neac-$cmd.1" ] || fail "man/neac-$cmd.1 is missing"
    assert_contains "$neac1" "neac $cmd" "neac(1) COMMANDS"
done
for cmd in submit history verify extend; do
    page=$(render "$man_dir/neac-$cmd.1")
    "$NEAC" "$cmd" --help >"$tmp/help.txt"
    for option in $(grep -oE '^ +(-[a-z], ?)?--[a-z0-9-]+' "$tmp/help.txt" | grep -oE -- '--[a-z0-9-]+' | grep -v '^--help$'); do
        assert_contains "$page" "$option" "neac-$cmd(1)"
    done
done

step "neac-dossier(5)'s example is a manifest neac reads (it stops only at the missing files)"
mkdir -p "$tmp/dossier"
MANWIDTH=200 man -E UTF-8 -l "$man_dir/neac-dossier.5" 2>/dev/null |
    sed -n '/^EXAMPLE/,/^SEE ALSO/p' | sed '1,3d;$d' | sed 's/^         //' >"$tmp/dossier/dossier.yaml"
expect_exit 4 "$NEAC" submit "$tmp/dossier/dossier.yaml" --dry-run
assert_file_contains "$ERR" "component TP1 (signed/to-khai.signed.pdf) does not exist"

pass
