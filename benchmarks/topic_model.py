"""Benchmark the topic suggestion model on a held-out set the project writes itself from its seed phrases.

    .venv/bin/python benchmarks/topic_model.py [--algorithm logreg|sgd|complement-nb|all]

Held out: every 5th training phrase of each topic (20%, deterministic, `agencies/topic_phrases.py`), plus the
same phrases without diacritics; the model trains on the rest (topic names, keywords, other phrases) exactly as
`topicsuggest.training` does. Prints accuracy (overall, per topic, with and without diacritics) and training
time. Needs no database. Asserts nothing.
"""
import argparse
import os
import sys
import time
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ihanoi.settings.development")

import django  # noqa: E402

django.setup()

from agencies.seed import TOPICS  # noqa: E402
from topicsuggest.text import strip_diacritics  # noqa: E402
from topicsuggest.training import ALGORITHMS, DEFAULT_ALGORITHM, Row, fit  # noqa: E402
from topicsuggest.training import seed_rows  # noqa: E402


def run(algorithm: str) -> float:
    train, held = seed_rows(holdout=True, topics=TOPICS)
    stripped = [Row(strip_diacritics(r.text), r.topic) for r in held]
    started = time.perf_counter()
    pipeline = fit(train, algorithm)
    seconds = time.perf_counter() - started
    results = {}
    for name, rows in (("with diacritics", held), ("without diacritics", stripped)):
        predicted = pipeline.predict([r.text for r in rows])
        results[name] = [(r.topic, p == r.topic) for r, p in zip(rows, predicted)]
    every = results["with diacritics"] + results["without diacritics"]
    overall = sum(ok for _, ok in every) / len(every)
    print(f"\n== {algorithm}: {len(train)} training rows, {len(held)} held-out phrases (+{len(stripped)} "
          f"without diacritics); trained in {seconds:.2f} s")
    for name, pairs in results.items():
        print(f"  accuracy {name:<19} {sum(ok for _, ok in pairs) / len(pairs):6.1%}")
    print(f"  accuracy overall             {overall:6.1%}")
    per_topic = defaultdict(list)
    for topic, ok in every:
        per_topic[topic].append(ok)
    print("  per topic (both variants):")
    for topic, oks in per_topic.items():
        print(f"    {topic:<22} {sum(oks)}/{len(oks)}  {sum(oks) / len(oks):6.1%}")
    return overall


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--algorithm", default="all", choices=[*ALGORITHMS, "all"])
    args = parser.parse_args()
    chosen = ALGORITHMS if args.algorithm == "all" else (args.algorithm,)
    scores = {a: run(a) for a in chosen}
    print("\nsummary: " + ", ".join(f"{a} {s:.1%}" for a, s in scores.items())
          + f"; the portal uses {DEFAULT_ALGORITHM}")


if __name__ == "__main__":
    main()
