# alloc_heavy.py — an allocation-heavy Python workload with deterministic
# output: many small objects (dicts, tuples, strings), big lists that grow
# and shrink (realloc), sorting, JSON round trips. Run with
# PYTHONMALLOC=malloc so every object goes through the allocator under test.
#     python3 alloc_heavy.py ROUNDS
import hashlib
import json
import random
import sys

rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 20
rng = random.Random(2024)
digest = hashlib.sha256()
keep = []
for r in range(rounds):
    records = [{"id": i, "name": "n%06d" % rng.randrange(10**6),
                "tags": [rng.randrange(100) for _ in range(rng.randrange(8))]}
               for i in range(2000)]
    records.sort(key=lambda rec: (rec["name"], rec["id"]))
    text = json.dumps(records, sort_keys=True)
    back = json.loads(text)
    assert back == records
    digest.update(text.encode())
    words = {}
    for rec in back:
        words.setdefault(rec["name"][:3], []).append(rec["id"])
    digest.update(repr(sorted((k, len(v)) for k, v in words.items())).encode())
    big = bytearray()
    for i in range(3000):
        big += bytes([i % 256]) * (i % 97)
    digest.update(big)
    keep.append(text[: 1000 * (r % 7)])   # some survive the round
    if len(keep) > 10:
        del keep[: len(keep) // 2]
print("rounds", rounds, "kept", len(keep), "sha256", digest.hexdigest())
