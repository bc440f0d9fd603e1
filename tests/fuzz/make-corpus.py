#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
# Copyright 2026 The oscarviz authors
#
# Fills tests/fuzz/corpus/<target>/ with seed files: small real files copied
# from the shared reference data (../shared beside the source tree) and the
# test fixtures, plus small synthetic rows of every feature format. Large
# real files are not copied; pass --large to put them into a separate folder
# (default /tmp/ov-fuzz-large/<target>) to give the fuzzer as extra seeds.
import argparse
import base64
import json
import os
import shutil
import struct
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, '..', '..'))
SHARED = os.environ.get('OV_SHARED_DIR', os.path.join(ROOT, '..', 'shared'))
FIX = os.path.join(ROOT, 'tests', 'fixtures')

SMALL = {
    'pickle': [
        (FIX, 'checkpoint/*.pkl'), (FIX, 'checkpoint/legacy.pt'),
        (FIX, 'checkpoint/namespace-legacy.bin'), (FIX, 'checkpoint/zip.pt'),
        (FIX, 'training_args/*.bin'),
        (SHARED, 'oracle/data/vqa/*.pkl'),
        (SHARED, 'oracle/checkpoints/caption_tiny/training_args.bin'),
    ],
    'checkpoint': [
        (FIX, 'checkpoint/*.pt'), (FIX, 'checkpoint/namespace-legacy.bin'),
        (FIX, 'pretrain_tiny_f16/pytorch_model.bin'),
        (FIX, 'classifier_mlp_tiny/pytorch_model.bin'),
    ],
    'safetensors': [(FIX, 'checkpoint/*.safetensors')],
    'config': [(FIX, '*/config.json'), (SHARED, 'oracle/checkpoints/*/config.json')],
    'answers': [
        (FIX, 'checkpoint/ans2label-unordered.pkl'),
        (SHARED, 'oracle/data/vqa/*.pkl'), (SHARED, 'oracle/data/vqa/label2ans.json'),
    ],
    'vqa-json': [(SHARED, 'oracle/data/vqa/*.json')],
    'yaml': [(SHARED, 'oracle/data/*.yaml'), (SHARED, 'data/formats/*/train.yaml')],
    'tsv': [
        (SHARED, 'oracle/data/hw.tsv'),
        (SHARED, 'data/formats/*/train.label.tsv'), (SHARED, 'data/formats/*/train.hw.tsv'),
        (SHARED, 'data/labels/coco-80-categories.tsv'),
    ],
    'image': [
        (ROOT, 'tests/data/*.png'),
        (SHARED, 'data/images/edge-cases/*.jpg'),
    ],
}

LARGE = {
    'tsv': [(SHARED, 'oracle/data/features.tsv'), (SHARED, 'oracle/data/labels.tsv'),
            (SHARED, 'data/formats/*/train.tsv')],
    'image': [(SHARED, 'data/images/*.jpg'), (SHARED, 'data/images/*.png')],
    'checkpoint': [(SHARED, 'oracle/checkpoints/*/pytorch_model.bin'),
                   (SHARED, 'oracle/data/vqa/*.pt')],
    'answers': [(SHARED, 'data/vqa/*.json')],
    'tokenizer': [(SHARED, 'data/tokenizer-cases.jsonl')],
}


def copy(groups, out):
    import glob
    for target, patterns in groups.items():
        d = os.path.join(out, target)
        os.makedirs(d, exist_ok=True)
        for base, pattern in patterns:
            for src in sorted(glob.glob(os.path.join(base, pattern))):
                rel = os.path.relpath(src, base).replace(os.sep, '_')
                shutil.copyfile(src, os.path.join(d, rel))


def b64_floats(values):
    return base64.b64encode(struct.pack('<%df' % len(values), *values)).decode()


def write(target, name, data):
    d = os.path.join(HERE, 'corpus', target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), 'wb') as f:
        f.write(data if isinstance(data, bytes) else data.encode())


def synthetic():
    feat = [0.25 * (i % 7) for i in range(2048)]
    box = [10.0, 20.0, 110.0, 220.0]
    geo = [0.1, 0.2, 0.6, 0.9, 0.5, 0.7]
    # Oscar feature TSV: key \t {"num_boxes": n, "features": b64 of n x 2054}
    write('tsv', 'oscar-features.tsv',
          'img1\t' + json.dumps({'num_boxes': 1, 'features': b64_floats(feat + geo)}) + '\n'
          + 'img2\t' + json.dumps({'num_boxes': 0, 'features': ''}) + '\n')
    # the same with its .lineidx after the marker
    row1 = 'a\t' + json.dumps({'num_boxes': 1, 'features': b64_floats(feat[:8] * 256 + geo)})
    write('tsv', 'oscar-features-lineidx.tsv', row1 + '\n#lineidx\n0\n')
    write('tsv', 'detections-written-lineidx.tsv',
          'k1\t[{"rect": [1, 2, 30, 40], "class": "dog", "conf": 0.9}]\n'
          'k2\t{"objects": [{"rect": [0, 0, 5, 5], "class": "cat",'
          ' "attributes": ["black"], "attr_scores": [0.5]}], "image_h": 50, "image_w": 60}\n'
          '#lineidx\n')
    # VinVL features.tsv: key \t n \t b64 of n x 2048
    write('tsv', 'vinvl-features.tsv', 'img3\t1\t' + b64_floats(feat) + '\n')
    # bottom-up-attention: image_id, image_w, image_h, num_boxes, boxes, features
    write('tsv', 'butd.tsv', '\t'.join(['17', '640', '480', '1', b64_floats(box),
                                       b64_floats(feat)]) + '\n')
    # LXMERT: img_id, img_h, img_w, objects_id, objects_conf, attrs_id,
    # attrs_conf, num_boxes, boxes, features
    ids = base64.b64encode(struct.pack('<q', 1)).decode()
    write('tsv', 'lxmert.tsv', '\t'.join(['COCO_1', '480', '640', ids, b64_floats([0.8]), ids,
                                         b64_floats([0.4]), '1', b64_floats(box),
                                         b64_floats(feat)]) + '\n')
    # image TSV: key \t base64 of a JPEG
    jpg = os.path.join(SHARED, 'data/images/edge-cases/skimage-truncated.jpg')
    png = os.path.join(ROOT, 'tests/data/gray1.png')
    for name, src in (('image-jpeg.tsv', jpg), ('image-png.tsv', png)):
        if os.path.exists(src):
            with open(src, 'rb') as f:
                write('tsv', name, 'pic\t' + base64.b64encode(f.read()).decode() + '\n')
    # base64
    write('base64', 'floats', b64_floats([1.0, -2.5, 3.25, 0.0]))
    write('base64', 'padded', base64.b64encode(b'\x00\x01\x02\x03\x04').decode())
    write('base64', 'escaped', b64_floats([1.0, 2.0, 3.0]).replace('/', '\\/'))
    # sample JSON (README.md's format)
    sample = {
        'key': 'kitchen1', 'image': 'kitchen.jpg', 'width': 640, 'height': 480,
        'boxes': [
            {'rect': [10, 20, 200, 300], 'class': 'oven', 'conf': 0.9,
             'attributes': ['white'], 'attr_scores': [0.7]},
            {'rect': [300, 40, 400, 100], 'class': 'cutting board'},
        ],
        'captions': ['a white kitchen with an oven'],
        'questions': [{'question': 'Is the oven white?', 'answer': 'yes'}],
    }
    write('sample-json', 'readme.json', json.dumps(sample, indent=1))
    with_feat = dict(sample, boxes=[dict(sample['boxes'][0], feature=feat[:2048:64] * 64),
                                    dict(sample['boxes'][1],
                                         feature=b64_floats(feat + geo))])
    write('sample-json', 'features.json', json.dumps({'samples': [with_feat]}))
    write('sample-json', 'list.json', json.dumps([sample, {'image': 'b.png', 'boxes': [],
                                                           'tags': 'dog cat'}]))
    write('vqa-json', 'one.json', json.dumps([{'q': 'What is it?', 'o': 'dog', 'img_id': 1,
                                               'q_id': 2, 'an': [3], 's': [1.0]}]))
    # answers: JSON list, dict and plain text
    write('answers', 'list.json', json.dumps(['yes', 'no', '2', 'red']))
    write('answers', 'dict.json', json.dumps({'yes': 0, 'no': 1, 'red': 2}))
    write('answers', 'plain.txt', 'yes\nno\nred\n')
    # tokenizer: a few lines of real questions and captions, and odd text
    cases = os.path.join(SHARED, 'data/tokenizer-cases.jsonl')
    if os.path.exists(cases):
        with open(cases, encoding='utf-8') as f:
            for i, line in enumerate(f):
                if i >= 40:
                    break
                text = json.loads(line).get('text')
                if isinstance(text, str):
                    write('tokenizer', 'case-%02d' % i, text.encode('utf-8', 'surrogatepass'))
    write('tokenizer', 'invalid-utf8', b'caf\xc3 \xff\xfe na\xefve [MASK] \xe2\x82')
    write('tokenizer', 'specials', '[CLS] a dog [SEP] [PAD] [UNK] un##affable')


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument('--large', nargs='?', const='/tmp/ov-fuzz-large',
                    help='also copy large real files into this folder')
    args = ap.parse_args()
    if not os.path.isdir(SHARED):
        sys.exit('no shared data at %s' % SHARED)
    copy(SMALL, os.path.join(HERE, 'corpus'))
    synthetic()
    if args.large:
        copy(LARGE, args.large)


if __name__ == '__main__':
    main()
