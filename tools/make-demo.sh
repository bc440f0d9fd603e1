#!/bin/sh
# Regenerates the demo world and the demo models from one seed: writes the
# training splits to a scratch folder, the shipped scenes to data/demo/scenes,
# the checkpoint folders to data/demo/models, and the learning curves and
# held-out results to tools/demo-results. Sized for a shared 2-core machine
# (one thread; see tools/README.md for the training time). Usage:
# tools/make-demo.sh [SEED]
set -eu

seed=${1:-1}
src=$(cd "$(dirname "$0")/.." && pwd)
build=${BUILD_DIR:-$src/build}
work=${WORK_DIR:-$build/demo-work}
epochs=${DEMO_EPOCHS:-8,2,48,8,40}
epoch_size=${DEMO_EPOCH_SIZE:-2048}
batch=${DEMO_BATCH:-32}
lr=${DEMO_LR:-7e-4}
vqa_lr=${DEMO_VQA_LR:-1e-3}
threads=${DEMO_THREADS:-1}
con_warmup=${DEMO_CON_WARMUP:-128}

ninja -C "$build" app/oscarviz
ov="$build/app/oscarviz"

rm -rf "$work"
mkdir -p "$work/data"
$ov demo-world generate --seed "$seed" --split train --count 4000 --first-id 100001 \
  --no-images --out "$work/data"
$ov demo-world generate --seed "$seed" --split val --count 300 --first-id 200001 \
  --no-images --out "$work/data"
$ov demo-world generate --seed "$seed" --split test --count 500 --first-id 300001 \
  --no-images --out "$work/data"

# The shipped scenes are the first 30 test scenes, with their images.
scenes="$src/data/demo/scenes"
rm -rf "$scenes"
$ov demo-world generate --seed "$seed" --split test --count 30 --first-id 300001 --out "$scenes"

OMP_NUM_THREADS=$threads /usr/bin/python3 "$src/tools/train_demo.py" --data "$work/data" \
  --scenes "$scenes" --out "$work/models" --report "$src/tools/demo-results" \
  --seed "$seed" --epochs "$epochs" --epoch-size "$epoch_size" --batch-size "$batch" \
  --lr "$lr" --vqa-lr "$vqa_lr" --contrastive-warmup "$con_warmup" --n-test 200 \
  --threads "$threads"

rm -rf "$src/data/demo/models"
mkdir -p "$src/data/demo/models"
for m in demo demo-vqa demo-pretrain demo-notags; do
  cp -r "$work/models/$m" "$src/data/demo/models/$m"
done
du -sh "$src/data/demo"
