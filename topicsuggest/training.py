"""Training the topic model: rows from the seed (topic names, keywords and the project's own training phrases,
`agencies.topic_phrases`) and from staff topic corrections (`feedback.services.rerouting.correct_topic` logs
TOPIC_CHANGED: the corrected case's description with its new topic), a character n-gram + word TF-IDF over
`text.model_text`, and a linear classifier. `train_and_store` writes a new `TopicModel` version."""
from __future__ import annotations

import io
import time
from dataclasses import dataclass

from agencies.topic_phrases import TRAINING_PHRASES

from .text import model_text

CORRECTION_WEIGHT = 3.0  # a staff correction says more than one seed phrase
HOLDOUT_EVERY = 5  # every 5th training phrase of a topic (20%) is held out to measure accuracy
KEEP_VERSIONS = 5
ALGORITHMS = ("logreg", "sgd", "complement-nb")
# benchmarks/topic_model.py: sgd 72.2%, logreg 72.2%, complement-nb 60.0% on the held-out phrases; sgd trains
# in ~0.4 s against ~6 s for logreg, so load_hanoi and the nightly task stay fast
DEFAULT_ALGORITHM = "sgd"


@dataclass(frozen=True)
class Row:
    text: str
    topic: str  # topic code
    weight: float = 1.0


def seed_rows(*, holdout: bool = False, topics=None) -> tuple[list[Row], list[Row]]:
    """(training rows, held-out rows) from the active topics (or `topics`: anything with code, name_vi, name_en
    and keywords, e.g. `agencies.seed.TOPICS`): name (vi + en) and keywords always train; with `holdout`, every
    HOLDOUT_EVERY-th training phrase of each topic is held out instead."""
    from agencies.models import Topic

    train, held = [], []
    for topic in topics if topics is not None else Topic.objects.active().order_by("sort_order", "code"):
        train += [Row(topic.name_vi, topic.code), Row(topic.name_en, topic.code)]
        train += [Row(k.strip(), topic.code) for k in topic.keywords.split(",") if k.strip()]
        for i, phrase in enumerate(TRAINING_PHRASES.get(topic.code, [])):
            (held if holdout and i % HOLDOUT_EVERY == HOLDOUT_EVERY - 1 else train).append(Row(phrase, topic.code))
    return train, held


def correction_rows() -> list[Row]:
    """Each case whose topic staff corrected, with the topic it has now (the last correction wins)."""
    from feedback.lifecycle import EventKind
    from feedback.models import Case

    cases = (Case.objects.filter(events__kind=EventKind.TOPIC_CHANGED, topic__is_active=True).distinct()
             .values_list("description", "topic__code"))
    return [Row(description, code, CORRECTION_WEIGHT) for description, code in cases if description.strip()]


def build_pipeline(algorithm: str = DEFAULT_ALGORITHM):
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression, SGDClassifier
    from sklearn.naive_bayes import ComplementNB
    from sklearn.pipeline import FeatureUnion, Pipeline

    features = FeatureUnion([
        ("chars", TfidfVectorizer(preprocessor=model_text, analyzer="char_wb", ngram_range=(1, 3),
                                  sublinear_tf=True)),
        ("words", TfidfVectorizer(preprocessor=model_text, analyzer="word", ngram_range=(1, 1),
                                  token_pattern=r"(?u)\b\w+\b", sublinear_tf=True)),
    ])
    classifier = {
        "logreg": lambda: LogisticRegression(C=20.0, max_iter=2000),
        "sgd": lambda: SGDClassifier(loss="log_loss", alpha=1e-4, max_iter=100, tol=None, average=True,
                                    random_state=0),
        "complement-nb": lambda: ComplementNB(alpha=0.3),
    }[algorithm]()
    return Pipeline([("features", features), ("classifier", classifier)])


def fit(rows: list[Row], algorithm: str = DEFAULT_ALGORITHM):
    pipeline = build_pipeline(algorithm)
    pipeline.fit([r.text for r in rows], [r.topic for r in rows],
                 classifier__sample_weight=[r.weight for r in rows])
    return pipeline


def accuracy(pipeline, rows: list[Row]) -> float | None:
    if not rows:
        return None
    predicted = pipeline.predict([r.text for r in rows])
    return sum(p == r.topic for p, r in zip(predicted, rows)) / len(rows)


def train_and_store(*, algorithm: str = DEFAULT_ALGORITHM):
    """Measure on the held-out seed phrases, then train on every row and store a new TopicModel version (the
    last KEEP_VERSIONS are kept)."""
    import joblib

    from .models import TopicModel

    started = time.perf_counter()
    corrections = correction_rows()
    train, held = seed_rows(holdout=True)
    measured = accuracy(fit(train + corrections, algorithm), held)
    everything = seed_rows()[0]
    pipeline = fit(everything + corrections, algorithm)
    buffer = io.BytesIO()
    joblib.dump(pipeline, buffer, compress=3)
    blob = buffer.getvalue()
    features = sum(len(t.vocabulary_) for _, t in pipeline.named_steps["features"].transformer_list)
    model = TopicModel.objects.create(
        algorithm=algorithm, blob=blob, size_bytes=len(blob), seed_rows=len(everything),
        correction_rows=len(corrections), features=features, topics=len(pipeline.classes_),
        accuracy=measured, train_seconds=round(time.perf_counter() - started, 3),
    )
    stale = TopicModel.objects.order_by("-pk").values_list("pk", flat=True)[KEEP_VERSIONS:]
    TopicModel.objects.filter(pk__in=list(stale)).delete()
    return model
