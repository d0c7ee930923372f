#!/usr/bin/env bash
# Native-lifetime soak (issue 10): many tiny training steps of both tokenizer families and the latent DiT, two
# processes at once, under garbage-collection pressure; then `vitok demo` and `vitok demo --generate` end to end under
# the same pressure. Any native abort shows as a non-zero exit and is counted.
#
#   tools/soak.sh [STEPS_PER_MODEL] [OUT]        (default 6250: 2 processes x 4 models x 6250 = 50,000 steps)
#
# STRESS_SECONDS (default 0 = none) caps each stress process; a process stopped by the cap (exit 124) did not crash,
# and its last "round:" line gives the steps it completed. DEMO_MINUTES / GENERATE_MINUTES size the demo (1 / 2).
#
# Pressure: every process runs with DOTNET_GCgen0size=0x10000 (a 64 KiB gen-0 budget: a GC every few allocations);
# the stress host (tests/ViTok.Tests/NativeSafety/StressHost.cs: paper + v2 tokenizers, DiT DDPM + flow, AdamW, EMA,
# sampler) also runs a thread that calls GC.Collect() + WaitForPendingFinalizers() without pause.
# Needs: dotnet build ViTok.slnx (Debug), Fashion-MNIST for the demos (apt-get install dataset-fashion-mnist).
set -u
cd "$(dirname "$0")/.."
STEPS=${1:-6250}
OUT=${2:-/tmp/vitok-soak}
TESTS=tests/ViTok.Tests/bin/Debug/net10.0/linux-x64/ViTok.Tests.dll
VITOK=src/ViTok.Cli/bin/Debug/net10.0/linux-x64/vitok
export VITOK_THREADS=1 DOTNET_GCgen0size=0x10000
mkdir -p "$OUT"
fail=0
t0=$(date +%s)
timeout "${STRESS_SECONDS:-0}" dotnet exec "$TESTS" stress "$STEPS" > "$OUT/stress-a.log" 2>&1 & a=$!
timeout "${STRESS_SECONDS:-0}" dotnet exec "$TESTS" stress "$STEPS" > "$OUT/stress-b.log" 2>&1 & b=$!
wait $a; ra=$?; wait $b; rb=$?
t1=$(date +%s)
echo "stress A: exit $ra: $(grep -E '^(round|stress ok)' "$OUT/stress-a.log" | tail -n 1)"
echo "stress B: exit $rb: $(grep -E '^(round|stress ok)' "$OUT/stress-b.log" | tail -n 1)"
echo "stress wall: $((t1 - t0)) s"
for r in $ra $rb; do [ $r -eq 0 ] || [ $r -eq 124 ] || fail=$((fail + 1)); done
if [ -d /usr/share/datasets/fashion-mnist ]; then
  # The demo path end to end, with a stress process beside it (two at once).
  rm -rf "$OUT/demo"
  timeout "${STRESS_SECONDS:-0}" dotnet exec "$TESTS" stress 400 > "$OUT/stress-c.log" 2>&1 & c=$!
  "$VITOK" demo --minutes "${DEMO_MINUTES:-1}" --generate --generate-minutes "${GENERATE_MINUTES:-2}" --out "$OUT/demo" > "$OUT/demo.log" 2>&1
  rd=$?
  wait $c; rc=$?
  t2=$(date +%s)
  echo "demo --generate: exit $rd ($((t2 - t1)) s); beside it stress C: exit $rc: $(grep -E '^(round|stress ok)' "$OUT/stress-c.log" | tail -n 1)"
  [ $rd -eq 0 ] || fail=$((fail + 1)); [ $rc -eq 0 ] || [ $rc -eq 124 ] || fail=$((fail + 1))
fi
echo "crashes: $fail"
exit $fail
