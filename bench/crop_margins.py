#!/usr/bin/env python3
"""Picks the face-crop margins by measurement (offline; standard library only).

FER-2013's faces are tightly framed; a Haar box holds forehead, hair and chin as well. How much
to crop inside the box before classifying changes what the model sees. With no labelled video
at hand, the measurement uses footage whose expression is known: the smiling faces in
../shared/media (a smiling woman on a phone, three smiling portraits). For each candidate
margin it reports the share of detected faces labelled happy and the mean p(happy).

    python3 bench/crop_margins.py [--bin .build/release/emotion-live] [--model M]
"""
import argparse
import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared" / "media"
SMILING = ["videos/phone_smile_vfr.mp4", "images/one_face_portrait.jpg",
           "images/one_face_frontal.jpg", "images/one_face_small.jpg"]
CANDIDATES = {
    "whole box": "0,0,0,0",
    "0.05 all round": "0.05,0.05,0.05,0.05",
    "default 0.125,0.05,0.1,0.1": "0.125,0.05,0.1,0.1",
    "0.15,0.05,0.12,0.12": "0.15,0.05,0.12,0.12",
    "0.2,0.05,0.15,0.15": "0.2,0.05,0.15,0.15",
    "0.25,0.05,0.2,0.2": "0.25,0.05,0.2,0.2",
}


def faces(binary, model, source, margins):
    command = [binary, str(SHARED / source), "--headless", "--format", "jsonl", "--crop-margins", margins]
    if model:
        command += ["--model", model]
    out = subprocess.run(command, check=True, capture_output=True, text=True).stdout
    return [face for line in out.splitlines() for face in json.loads(line)["faces"]]


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--bin", default=str(ROOT / ".build/release/emotion-live"))
    parser.add_argument("--model")
    args = parser.parse_args()
    if not SHARED.is_dir():
        sys.exit(f"{SHARED}: absent (../shared is needed for this measurement)")
    print(f"{'margins (top,bottom,left,right)':32} {'faces':>6} {'happy share':>12} {'mean p(happy)':>14}")
    for name, margins in CANDIDATES.items():
        found = [f for source in SMILING for f in faces(args.bin, args.model, source, margins)]
        share = sum(f["label"] == "happy" for f in found) / max(1, len(found))
        mean = sum(f["probabilities"]["happy"] for f in found) / max(1, len(found))
        print(f"{name:32} {len(found):6d} {share:12.3f} {mean:14.3f}")


if __name__ == "__main__":
    main()
