#!/usr/bin/env bash
# Counts the encode/decode entry points of src/: public methods (and interface members, public by default) whose name
# starts with Encode or Decode (not the nouns Encoder/Decoder: EncoderParameters() is no entry point). Private,
# internal and protected helpers, local functions, types (records, classes) and explicit interface implementations
# (`Latents IAutoencoder.Encode(`: the interface member is counted once, not once per family) are not counted.
# The total includes the image/data format decoders of IO and Data (ImageIO.DecodeRgb8/EncodePng, the stream dataset's
# Decode), which are not tokenizer entry points; `--list` shows each one.
# Usage: tools/count-entry-points.sh [--list] [root (default: src)]
set -euo pipefail
list=0
if [[ "${1:-}" == "--list" ]]; then list=1; shift; fi
root="${1:-src}"
# 1. public members: `public [static|override|...] <type> EncodeX(` or `<...>(`; the type may be a tuple.
public_re='^\s*public\s+(?!(sealed\s+|static\s+|abstract\s+|partial\s+)*(record|class|struct|interface|enum)\b)[^=;{]*?\s(Encode|Decode)(?!r)\w*\s*(<[^>]*>)?\s*\('
# 2. members of public interfaces (no modifier): `<type> EncodeX(...);` inside a file that declares `public interface`.
iface_re='^\s+(?!public|private|internal|protected|return|var\b)[A-Za-z_][^=;{]*?\s(Encode|Decode)(?!r)\w*\s*(<[^>]*>)?\s*\([^;]*\)?\s*;?\s*$'
hits=$( { grep -rnP --include='*.cs' "$public_re" "$root" || true
          for f in $(grep -rlP --include='*.cs' '^public\s+(partial\s+)?interface\s' "$root" || true); do
              grep -nP "$iface_re" "$f" | sed "s|^|$f:|" || true
          done; } | sort -u)
if [[ $list == 1 ]]; then printf '%s\n' "$hits" | sed '/^$/d'; fi
printf '%s\n' "$hits" | sed '/^$/d' | wc -l
