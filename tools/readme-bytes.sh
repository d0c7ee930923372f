#!/usr/bin/env bash
# Runs the README's example commands (scaled down: few steps, few images) with one build of `vitok` and writes the
# sha256 of every output file, so two builds (before/after the house plan) can be compared byte for byte.
# usage: houseplan-bytes.sh <vitok.dll> <workdir>     then: diff workA/sums.txt workB/sums.txt
set -euo pipefail
DLL=$1; W=$2; REPO=${REPO:-$(cd "$(dirname "$0")/.." && pwd)}
export VITOK_THREADS=1
OUTSUMS=$W.sums.txt; W=/tmp/hp-bytes-work; rm -rf "$W"; mkdir -p "$W"; cd "$W"
v() { dotnet "$DLL" "$@" > /dev/null; }
FX=$REPO/tests/ViTok.Tests/Fixtures/vitok-v2
mkdir -p photos
for f in "$FX"/pipeline/*.png; do case "$f" in *.recon.png) ;; *) cp "$f" photos/;; esac; done
ls photos | head -3 >&2
v info S-B/16 --json > /dev/null
dotnet "$DLL" info S-B/16 --json > info-paper.json
dotnet "$DLL" info --family v2 Ld4-Ld24/1x16x64 --json > info-v2.json
v init Sw64d2h4-Bw64d2h4/4 --channels 4 --seed 1 -o paper.safetensors
v reconstruct photos/*.png --checkpoint paper.safetensors -o rec-paper
v reconstruct photos/*.png --checkpoint "$FX/tiny-v2" --variant w64_d2_h4-w96_d3_h4/1x8x16 --max-tokens 64 -o rec-v2
v encode photos/*.png --checkpoint paper.safetensors -o lat-paper.safetensors
v decode lat-paper.safetensors --checkpoint paper.safetensors -o dec-paper
v encode photos/*.png --checkpoint "$FX/tiny-v2" --variant w64_d2_h4-w96_d3_h4/1x8x16 --max-tokens 64 -o lat-v2.safetensors
v decode lat-v2.safetensors --checkpoint "$FX/tiny-v2" --variant w64_d2_h4-w96_d3_h4/1x8x16 -o dec-v2
dotnet "$DLL" data inspect photos/ --sheet sheet.png --json > inspect.json
dotnet "$DLL" metrics --ref photos/$(ls photos | head -1) --test rec-paper/$(ls rec-paper | head -1) --json > metrics.json
v train --config "$REPO/configs/tiny.json" --set steps=30 --set checkpoint_every=15 --set sample_every=15 --set log_every=10 -o runs/tiny
v train --resume runs/tiny --set steps=40
dotnet "$DLL" eval --checkpoint runs/tiny/model.safetensors --data fashion-mnist --split test --size 32 --count 64 --metrics psnr,ssim --json > eval.json
v encode-dataset --checkpoint runs/tiny/model.safetensors --data fashion-mnist --pad-to 32 --count 256 -o latents/
v train-dit --config "$REPO/configs/dit-cpu.json" --latents latents/ --set variant=Bw32d2h2 --set batch_size=32 --set steps=20 --set checkpoint_every=10 --set sample_every=10 --set log_every=10 -o runs/dit
v sample --dit runs/dit/model.safetensors --class 9 --count 4 --cfg 4 --steps 5 -o out/
dotnet "$DLL" eval-gen --dit runs/dit/model.safetensors --data fashion-mnist --split test --count 32 --n-real 64 --steps 5 --json > evalgen.json
# Strip wall-clock fields from JSON and logs before hashing; everything else must match to the byte.
find . -type f \( -name "*.lock" -o -name "*.tmp-*" \) -delete
find . -type f | sort | while read -r f; do
  case "$f" in
    *.json|*.jsonl|*.md|*.txt) sed -E 's/[0-9.]+ (img|items|steps|latents)\/s/R/g; s/"[a-z_]*_per_second": *[-0-9.eE+]+/R/g; s/[0-9.]+ ?s (wall|elapsed)/T/g; s/"(seconds|wall_seconds|elapsed_seconds|train_seconds|time|timestamp|steps_per_second|items_per_second|images_per_second|started|finished|duration_seconds|eval_seconds|[a-z_]*_seconds)": *[-0-9.eE+]+/"\1": T/g; s/"(started|finished|created|time|timestamp)": *"[^"]*"/"\1": T/g' "$f" | sha256sum | sed "s|-|$f|";;
    *) sha256sum "$f";;
  esac
done > "$OUTSUMS"
wc -l "$OUTSUMS"
