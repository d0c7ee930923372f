#!/usr/bin/env bash
# Runs `vitok init/encode/decode/reconstruct/eval/encode-dataset` on the test fixtures (tiny-v2 weights, a paper image
# model and a paper video model from `vitok init`) and prints the sha256 of every output, so that two builds can be
# compared byte for byte: tools/cli-parity.sh <vitok binary> <out dir> > sums.txt, then diff the two sums files.
set -euo pipefail
vitok="$1"; out="$2"
export VITOK_THREADS=1
rm -rf "$out"; mkdir -p "$out"
fx="$(cd "$(dirname "$0")/.." && pwd)/tests/ViTok.Tests/Fixtures"
imgs=("$fx"/vitok-v2/pipeline/astronaut-61x45.png "$fx"/vitok-v2/pipeline/chelsea-90x135.png "$fx"/vitok-v2/pipeline/coffee-30x44.png)
mkdir -p "$out/data"; cp "${imgs[@]}" "$fx"/metrics/*.png "$out/data/"
# A deterministic 9-frame 36x28 clip (made once per run; the same ffmpeg makes it for both builds).
ffmpeg -loglevel error -f lavfi -i testsrc=size=36x28:rate=8 -frames:v 9 -pix_fmt yuv420p -c:v libx264 -threads 1 "$out/clip.mp4"
"$vitok" init Sw32d1h2-Sw32d1h2/4 --channels 4 --seed 3 -o "$out/paper.safetensors" --json > "$out/init.json"
"$vitok" init Sw32d1h2-Sw32d1h2/2x4 --channels 4 --seed 5 -o "$out/paper-video.safetensors" --json > "$out/init-video.json"
for m in paper:"$out/paper.safetensors" v2:"$fx/vitok-v2/tiny-v2"; do
  name="${m%%:*}"; ck="${m#*:}"
  extra=(); [[ $name == v2 ]] && extra=(--variant w64_d2_h4-w96_d3_h4/1x8x16 --max-tokens 64)
  "$vitok" encode "${imgs[@]}" --checkpoint "$ck" "${extra[@]}" -o "$out/$name.latents.safetensors" --json > "$out/$name.encode.json"
  dextra=(); [[ $name == v2 ]] && dextra=(--variant w64_d2_h4-w96_d3_h4/1x8x16)
  "$vitok" decode "$out/$name.latents.safetensors" --checkpoint "$ck" "${dextra[@]}" -o "$out/$name.decoded" --json > "$out/$name.decode.json"
  "$vitok" reconstruct "${imgs[@]}" --checkpoint "$ck" "${extra[@]}" -o "$out/$name.recon" --json > "$out/$name.recon.json"
  "$vitok" eval --checkpoint "$ck" "${dextra[@]}" --data "$out/data" --count 7 --size 32 --metrics psnr,ssim --json 2>/dev/null \
    | python3 -c 'import json,sys; d=json.load(sys.stdin); print(json.dumps({k:v for k,v in d.items() if "second" not in k}, sort_keys=True))' > "$out/$name.eval.json"
done
"$vitok" reconstruct "$out/clip.mp4" --checkpoint "$out/paper-video.safetensors" --frames 4 -o "$out/video.recon" --json > "$out/video.recon.json"
"$vitok" encode-dataset --checkpoint "$out/paper.safetensors" --data "$out/data" --size 32 --count 7 -o "$out/shards" --json > "$out/shards.json" 2>/dev/null
cd "$out"
# Paths inside JSON differ between runs only by $out, which is the same for both builds when the same out dir is used.
find . -type f ! -path "./data/*" ! -path ./clip.mp4 | sort | xargs sha256sum
