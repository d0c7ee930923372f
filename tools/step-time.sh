#!/usr/bin/env bash
# Step time of two builds of `vitok`, measured side by side (interleaved rounds, same config, same data), as a ratio.
#
#   tools/step-time.sh VITOK_A VITOK_B [ROUNDS] [STEPS]      (default 5 rounds of 300 steps)
#
# Config: the tiny paper model of configs/tiny.json (Sw64d2h4-Bw64d2h4/4, width 64, depth 2+2, batch 32, 32x32,
# Fashion-MNIST; perceptual weight PERC, default 0.1 as in the config). Step time = batch / images_per_second from metrics.jsonl; the first 20 steps
# of each run are dropped; per build the median over all kept steps of all rounds is printed, then B / A.
set -eu
A=$1; B=$2; ROUNDS=${3:-5}; STEPS=${4:-300}
CFG="$(cd "$(dirname "$0")/.." && pwd)/configs/tiny.json"
OUT=$(mktemp -d)
export VITOK_THREADS=1
for r in $(seq 1 "$ROUNDS"); do
  for which in A B; do
    bin=$A; [ $which = B ] && bin=$B
    "$bin" train --config "$CFG" --set steps="$STEPS" --set checkpoint_every=100000 --set sample_every=100000 \
      --set log_every=100000 --set loss.perceptual_weight="${PERC:-0.1}" --out "$OUT/$which-$r" > "$OUT/$which-$r.log" 2>&1
  done
done
python3 - "$OUT" "$ROUNDS" <<'PY'
import json, sys, statistics, glob
out, rounds = sys.argv[1], int(sys.argv[2])
med = {}
for which in "AB":
    ms = []
    for f in glob.glob(f"{out}/{which}-*/metrics.jsonl"):
        rows = [json.loads(l) for l in open(f)]
        ms += [32 / r["images_per_second"] * 1000 for r in rows[20:] if r["images_per_second"] > 0]
    med[which] = statistics.median(ms)
    print(f"{which}: median step {med[which]:.2f} ms over {len(ms)} steps")
print(f"ratio B/A: {med['B'] / med['A']:.3f}")
PY
rm -rf "$OUT"
