#!/usr/bin/env bash
# Loaded-machine benchmark of the demo's training (a benchmark, not a test): runs `vitok demo --minutes M` with default
# thread settings (VITOK_THREADS and OMP_* unset) once on the machine as it is and once with one core kept busy by
# another process (`yes > /dev/null`), and prints the training steps done in the training budget, the step rate and the
# load average. The run is stopped once its training is saved (the evaluation is not part of the measurement), so older
# builds whose evaluation ignored the budget can be compared too.
# Usage: tools/bench-load.sh <path to vitok> [minutes=1] [label]
set -euo pipefail
vitok=${1:?path to the vitok executable}
minutes=${2:-1}
label=${3:-vitok}
work=$(mktemp -d)
busy=
trap '[ -n "$busy" ] && kill $busy 2>/dev/null; rm -rf "$work"' EXIT
run() {
  local cond=$1 out="$work/$1" load0 load1 pid
  load0=$(cut -d' ' -f1 /proc/loadavg)
  env -u VITOK_THREADS -u OMP_WAIT_POLICY -u OMP_NUM_THREADS -u GOMP_SPINCOUNT "$vitok" demo --minutes "$minutes" --out "$out" >"$work/$cond.log" 2>&1 &
  pid=$!
  until [ -e "$out/train/model.safetensors" ] || ! kill -0 $pid 2>/dev/null; do sleep 1; done
  sleep 1
  kill $pid 2>/dev/null || true
  wait $pid 2>/dev/null || true
  load1=$(cut -d' ' -f1 /proc/loadavg)
  python3 - "$work/$cond.log" "$out/train/metrics.jsonl" "$label" "$cond" "$load0" "$load1" <<'PY'
import json, re, sys
log, metrics, label, cond, l0, l1 = sys.argv[1:]
text = open(log).read()
m = re.search(r"calibration: (\d+) ms per step → (\d+) steps in (\d+) s of training", text)
steps = [json.loads(l)["step"] for l in open(metrics) if l.strip()][-1]
secs = float(m.group(3))
print(f"{label:8} {cond:5} calibrated {m.group(1):>5} ms/step; {steps:4d} steps in the {secs:4.0f} s training budget = {steps/secs:5.2f} steps/s; "
      f"load average {l0} -> {l1}")
PY
}
run quiet
yes > /dev/null &
busy=$!
run busy
