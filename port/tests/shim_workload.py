# SPDX-License-Identifier: MIT
"""Allocation-heavy, deterministic workload for the malloc shim tests.

Builds a large structure (dicts, tuples, strings, lists, bytes of many
sizes, a few large buffers), sorts it, groups it, round-trips it through
json, and prints counts and a SHA-256 over the whole result.  The output
depends only on N, so a run under the shim must print exactly what a run
without it prints.

    python3 shim_workload.py [N]
"""
import hashlib
import json
import random
import sys

n = int(sys.argv[1]) if len(sys.argv) > 1 else 200000
rng = random.Random(12345)
letters = "abcdefghijklmnopqrstuvwxyz"

records = []
for i in range(n):
    name = "".join(rng.choice(letters) for _ in range(rng.randint(3, 24)))
    records.append({
        "id": i,
        "name": name,
        "score": rng.random(),
        "tags": tuple(rng.sample(letters, rng.randint(0, 5))),
        "blob": bytes(rng.getrandbits(8) for _ in range(rng.randint(0, 64))),
    })

# A few large buffers, grown in place and copied (buddy blocks and big maps).
big = bytearray()
for i in range(64):
    big += bytes([i]) * 65536
big_copy = bytes(big)

records.sort(key=lambda r: (r["name"], r["score"]))
groups = {}
for r in records:
    groups.setdefault(r["name"][:2], []).append(r["id"])
text = json.dumps([{k: (v.hex() if isinstance(v, bytes) else v) for k, v in r.items()}
                   for r in records[: n // 4]], sort_keys=True)
back = json.loads(text)

h = hashlib.sha256()
for r in records:
    h.update(repr((r["id"], r["name"], r["score"], r["tags"], r["blob"])).encode())
for k in sorted(groups):
    h.update(k.encode())
    h.update(repr(groups[k]).encode())
h.update(text.encode())
h.update(big_copy)
print("records", len(records), "groups", len(groups), "json", len(text), "roundtrip", back[0]["id"] == records[0]["id"])
print("sha256", h.hexdigest())
