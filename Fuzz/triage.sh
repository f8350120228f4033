#!/bin/bash
# Sorts FuzzModel's crash artifacts: a crash whose AddressSanitizer report is libhdf5 1.10.8
# freeing memory it never allocated while H5Fclose flushes its cache (H5MM_xfree <-
# H5C__flush_single_entry) is a known bug of the library, not of ours, and AddressSanitizer
# cannot suppress a bad free: such artifacts move to known-libhdf5/ with a note. Anything else
# stays where `make fuzz` reports it.
#   Fuzz/triage.sh FUZZER ARTIFACT_DIR
set -u
fuzzer=$1
dir=$2
known="$dir/known-libhdf5"
for artifact in "$dir"/crash-*; do
    [ -e "$artifact" ] || continue
    report=$("$fuzzer" "$artifact" 2>&1)
    if grep -q "attempting free on address which was not malloc()-ed" <<<"$report" &&
        grep -q "in H5MM_xfree" <<<"$report" && grep -q "H5C__flush_single_entry" <<<"$report"; then
        mkdir -p "$known"
        mv "$artifact" "$known/"
        echo "known libhdf5 bug (bad free in H5Fclose's cache flush): $(basename "$artifact")"
    elif ! grep -q "ERROR: \|Sanitizer\|deadly signal" <<<"$report"; then
        # A child job the HDF5 guard ended, or one that does not fail when replayed alone.
        mkdir -p "$dir/not-reproduced"
        mv "$artifact" "$dir/not-reproduced/"
        echo "does not fail when replayed: $(basename "$artifact")"
    fi
done
