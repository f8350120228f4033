#!/usr/bin/env bash
# make test's runner: the XCTest bundle SwiftPM built, run as two shards at once, each under its
# own Xvfb display and logged to SCRATCH/shard-N.log (printed whole when it ends); then one
# summary line. Most of the suite's time is spent waiting on the processes, streams and servers
# the end-to-end tests start, so two shards on two cores take about half the time of one. The
# bundle is run directly: two `swift test` processes cannot share a scratch path (its lock).
# Usage: Tests/run-shards.sh SCRATCH   (with EMOTION_LIVE_BIN set for the end-to-end tests)
set -uo pipefail
scratch=$1
bundle=$scratch/release/emotion-livePackageTests.xctest
[ -x "$bundle" ] || { echo "run-shards: $bundle: no test bundle (build with --build-tests first)" >&2; exit 1; }
# The end-to-end classes that spend longest waiting (streams in real time, servers, encoders)
# make the first shard; every other class the second. Balanced by their measured times.
first='^CLITests\.(OutputTests|NetworkSourceTests|ServeTests|ServePageTests|ArchiveTests|VideoDecodeTests)/'
tests=$("$bundle" --list-tests | grep -E '^[A-Za-z0-9_]+\.[A-Za-z0-9_]+/') || { echo "run-shards: cannot list $bundle's tests" >&2; exit 1; }
classes() { cut -d/ -f1 | sort -u | paste -sd, -; }
shard1=$(grep -E "$first" <<< "$tests" | classes)
shard2=$(grep -vE "$first" <<< "$tests" | classes)
run() {  # display-base log classes
    xvfb-run -a -n "$1" -s "-screen 0 1280x1024x24" "$bundle" "$3" > "$2" 2>&1
}
run 91 "$scratch/shard-1.log" "$shard1" & one=$!
run 151 "$scratch/shard-2.log" "$shard2" & two=$!
wait $one; status1=$?
cat "$scratch/shard-1.log"
wait $two; status2=$?
cat "$scratch/shard-2.log"
count() {  # a shard's XCTest totals (its "Selected tests" suite): tests failures skipped
    grep -E "^[[:space:]]*Executed [0-9]+ tests?" "$1" | tail -1 |
        awk '{t=$2; f=0; s=0; for (i=1;i<=NF;i++) { if ($i ~ /^skipped/) s=$(i-2); if ($i ~ /^failures?$/) f=$(i-1) } print t, f, s}'
}
read -r t1 f1 s1 <<< "$(count "$scratch/shard-1.log")"
read -r t2 f2 s2 <<< "$(count "$scratch/shard-2.log")"
total=$(( ${t1:-0} + ${t2:-0} )); failed=$(( ${f1:-0} + ${f2:-0} )); skipped=$(( ${s1:-0} + ${s2:-0} ))
echo "swift-tests: $(( total - failed - skipped )) passed, $failed failed, $skipped skipped"
[ "$status1" = 0 ] && [ "$status2" = 0 ] && [ "$total" -gt 0 ]
