#!/usr/bin/env bash
# The doc-test: every irqsim command shown in README.md and docs/*.md runs
# and exits 0, so the docs stay true.
#
# A command is a line of a fenced code block that starts with `irqsim `
# (lines continued with a backslash joined, a trailing `# comment` or
# `  (comment)` dropped), or an inline code span that starts with `irqsim `
# and names a scenario file or needs none (models, help, --help,
# --version); other inline spans are fragments of prose (`irqsim run`).
# Not run, but listed: synopses (placeholders such as FILE, DIR, KEY, N,
# `...`, `[`), the cluster recipes (paths under /shared/, shell
# variables) and the exceptions below, each with its reason. The `make`
# targets the docs show are what CI itself runs.
#
# Each command runs in a scratch copy of scenarios/, docs/ and tests/data/
# (so `irqsim models --markdown > docs/models.md` writes into the copy),
# with `irqsim` the built binary. run, compare and sweep get
# `--set duration=20ms` appended, a later --set winning, so that the test
# stays fast: what is checked is that the options, files and values the docs
# show are accepted and work, not the figures of a full-length run.
set -uo pipefail
: "${IRQSIM:?path to the irqsim CLI}" "${SRC_DIR:?source directory}"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/work/tests" "$tmp/bin"
cp -r "$SRC_DIR/scenarios" "$SRC_DIR/docs" "$tmp/work/"
cp -r "$SRC_DIR/tests/data" "$tmp/work/tests/"
ln -s "$IRQSIM" "$tmp/bin/irqsim"

# One command a line, as "FILE<TAB>command".
perl -e '
    for my $file (@ARGV) {
        open(my $fh, "<", $file) or die "$file: $!";
        local $/;
        my $text = <$fh>;
        my @cmds;
        # fenced blocks
        while ($text =~ /^```[^\n]*\n(.*?)^```/msg) {
            my $block = $1;
            $block =~ s/\\\n\s*/ /g;
            push @cmds, grep { /^irqsim / }
                map { s/\s+#.*$//r =~ s/\s{2,}\(.*$//r =~ s/^\s+|\s+$//gr } split /\n/, $block;
        }
        # inline code spans outside the fences
        (my $prose = $text) =~ s/^```.*?^```//msg;
        while ($prose =~ /`(irqsim [^`]+)`/g) {
            my $c = $1 =~ s/\s+/ /gr;
            push @cmds, $c if $c =~ /\.ya?ml\b|^irqsim (models|help|--help|--version)\b/;
        }
        my $short = $file =~ s{.*/((docs/)?[^/]+)$}{$1}r;
        print "$short\t$_\n" for @cmds;
    }' "$SRC_DIR/README.md" "$SRC_DIR"/docs/*.md >"$tmp/commands"

# Commands the docs show that cannot run as written, and why.
exceptions=(
    'heuristic=upstream,mine|docs/gib.md: a heuristic the reader adds first'
)
placeholder='(\.\.\.|\[|(^|[^A-Za-z])(FILE|DIR|KEY|NAME|N|K|S|COMMAND|PREFIX|FROM|TO|STEM)([^A-Za-z]|$))'

ran=0 skipped=0 fail=0
while IFS=$'\t' read -r file cmd; do
    why=
    for e in "${exceptions[@]}"; do
        [[ $cmd == *"${e%%|*}"* ]] && why=${e#*|}
    done
    if [ -n "$why" ]; then
        echo "exception, not run ($file): $cmd -- $why"
        skipped=$((skipped + 1))
        continue
    fi
    if [[ $cmd =~ $placeholder ]]; then
        echo "synopsis, not run ($file): $cmd"
        skipped=$((skipped + 1))
        continue
    fi
    if [[ $cmd == *'$'* || $cmd == */shared/* ]]; then
        echo "cluster recipe, not run ($file): $cmd"
        skipped=$((skipped + 1))
        continue
    fi
    run=$cmd
    if [[ $cmd =~ ^irqsim\ (run|compare|sweep)\  ]]; then
        # before a redirection, if any
        if [[ $run == *'>'* ]]; then run="${run%%>*} --set duration=20ms >${run#*>}"
        else run="$run --set duration=20ms"; fi
    fi
    if (cd "$tmp/work" && PATH="$tmp/bin:$PATH" bash -c "$run") >"$tmp/out" 2>"$tmp/err"; then
        ran=$((ran + 1))
        echo "ok ($file): $run"
    else
        fail=$((fail + 1))
        echo "FAIL ($file): $cmd"
        echo "  as run: $run"
        sed 's/^/  /' "$tmp/err" | tail -5
    fi
done <"$tmp/commands"
echo "$ran commands run, $skipped not run (listed above), $fail failed"
[ "$ran" -gt 10 ] || { echo "FAIL: fewer commands than expected: is the extraction broken?"; exit 1; }
[ "$fail" = 0 ]
