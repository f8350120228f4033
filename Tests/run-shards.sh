#!/usr/bin/env bash
# make test's runner: the Swift tests as two shards run at once, each under its own Xvfb display,
# each logged to LOGDIR/shard-N.log and printed whole when it ends; then one summary line.
# Most of the suite's time is spent waiting on the processes, streams and servers the end-to-end
# tests start, so two shards on two cores take about half the time of one.
# Usage: Tests/run-shards.sh LOGDIR SWIFT-TEST-ARGS...
set -uo pipefail
logs=$1; shift
mkdir -p "$logs"
# The end-to-end classes that spend longest waiting (streams in real time, servers, encoders)
# make the first shard; everything else the second. Balanced by their measured times.
first='CLITests\.(OutputTests|NetworkSourceTests|ServeTests|ServePageTests|ArchiveTests|VideoDecodeTests)'
run() {  # display-base log swift-test-args...
    local display=$1 log=$2; shift 2
    xvfb-run -a -n "$display" -s "-screen 0 1280x1024x24" swift test "$@" > "$log" 2>&1
}
run 91 "$logs/shard-1.log" "$@" --filter "$first" & one=$!
run 151 "$logs/shard-2.log" "$@" --skip "$first" & two=$!
wait $one; status1=$?
cat "$logs/shard-1.log"
wait $two; status2=$?
cat "$logs/shard-2.log"
count() {  # the XCTest totals of a shard's "All tests" suite: tests failures skipped
    grep -A1 "Test Suite 'All tests'" "$1" | grep -oE "Executed [0-9]+ tests?(, with [0-9]+ tests? skipped)? and [0-9]+ failures?|Executed [0-9]+ tests?, with [0-9]+ failures?" | tail -1 |
        awk '{t=$2; f=0; s=0; for (i=1;i<=NF;i++) { if ($i ~ /^skipped/) s=$(i-2); if ($i ~ /^failure/) f=$(i-1) } print t, f, s}'
}
read -r t1 f1 s1 <<< "$(count "$logs/shard-1.log")"
read -r t2 f2 s2 <<< "$(count "$logs/shard-2.log")"
tests=$(( ${t1:-0} + ${t2:-0} )); failed=$(( ${f1:-0} + ${f2:-0} )); skipped=$(( ${s1:-0} + ${s2:-0} ))
echo "swift-tests: $(( tests - failed - skipped )) passed, $failed failed, $skipped skipped"
[ "$status1" = 0 ] && [ "$status2" = 0 ]
