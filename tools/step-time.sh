#!/usr/bin/env bash
# Step time of two builds of `vitok`, measured side by side (interleaved rounds, same config, same data), as a ratio.
#
#   tools/step-time.sh VITOK_A VITOK_B [ROUNDS] [STEPS]      (default 5 rounds of 300 steps)
#
# Config: the tiny paper model of configs/tiny.json (Sw64d2h4-Bw64d2h4/4, width 64, depth 2+2, batch 32, 32x32,
# Fashion-MNIST; perceptual weight PERC, default 0.1 as in the config). Step time = batch / images_per_second from metrics.jsonl; the first 10 steps
# of each run are dropped; each round's B/A ratio of median step times is printed, then the median of those ratios
# (pairing A and B run back to back cancels the slow drift of a shared machine's load).
set -eu
A=$1; B=$2; ROUNDS=${3:-5}; STEPS=${4:-300}
CFG="$(cd "$(dirname "$0")/.." && pwd)/configs/tiny.json"
OUT=$(mktemp -d)
export VITOK_THREADS=1
run() {
  "$1" train --config "$CFG" --set steps="$STEPS" --set checkpoint_every=100000 --set sample_every=100000 \
    --set log_every=100000 --set loss.perceptual_weight="${PERC:-0.1}" --out "$OUT/$2" > "$OUT/$2.log" 2>&1
}
# CONCURRENT=1: A and B of a round run at the same time (both see the same machine load), else one after the other.
for r in $(seq 1 "$ROUNDS"); do
  if [ "${CONCURRENT:-0}" = 1 ]; then run "$A" "A-$r" & run "$B" "B-$r"; wait
  else run "$A" "A-$r"; run "$B" "B-$r"; fi
done
python3 - "$OUT" "$ROUNDS" <<'PY'
import json, sys, statistics
out, rounds = sys.argv[1], int(sys.argv[2])
def med(which, r):
    rows = [json.loads(l) for l in open(f"{out}/{which}-{r}/metrics.jsonl")]
    return statistics.median(32 / x["images_per_second"] * 1000 for x in rows[10:] if x["images_per_second"] > 0)
pairs = []
for r in range(1, rounds + 1):
    a, b = med("A", r), med("B", r)
    pairs.append(b / a)
    print(f"round {r}: A {a:.1f} ms, B {b:.1f} ms, B/A {b / a:.3f}")
print(f"median of the paired ratios B/A: {statistics.median(pairs):.3f} (range {min(pairs):.3f}-{max(pairs):.3f})")
PY
rm -rf "$OUT"
