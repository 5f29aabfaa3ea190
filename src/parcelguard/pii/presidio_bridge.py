"""Presidio bridge: ParcelGuard's Chinese recognizers as a Presidio `EntityRecognizer`.

Presidio ships no Chinese recognizers and its default engine needs a spaCy model; with this
bridge a Presidio user adds Chinese phones, IDs, names, addresses … to their own engine, and
`analyzer_engine()` builds one that needs no NLP model at all. Presidio is an optional extra
(`pip install parcelguard[presidio]`) and is imported only when these functions are called.

    from parcelguard.pii.presidio_bridge import analyzer_engine
    results = analyzer_engine().analyze("收件人：王小明 13812345678", language="zh")
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from parcelguard.errors import ConfigError
from parcelguard.pii.analyzer import Analyzer
from parcelguard.pii.entity import ENTITY_TYPES


def _presidio() -> Any:
    try:
        import presidio_analyzer
    except ImportError:
        raise ConfigError(
            "Presidio is not installed: pip install parcelguard[presidio]",
            code="presidio_missing",
        ) from None
    return presidio_analyzer


@lru_cache(maxsize=1)
def recognizer_class() -> type:
    """Return the `EntityRecognizer` subclass (built on first use, after importing Presidio)."""
    presidio = _presidio()

    class ParcelGuardRecognizer(presidio.EntityRecognizer):  # type: ignore[name-defined]
        """All ParcelGuard entity types, overlaps already settled, in one Presidio recognizer."""

        def __init__(
            self, supported_language: str = "zh", analyzer: Analyzer | None = None
        ) -> None:
            self._analyzer = analyzer or Analyzer()
            super().__init__(
                supported_entities=list(ENTITY_TYPES),
                name="ParcelGuardRecognizer",
                supported_language=supported_language,
            )

        def load(self) -> None:
            """Nothing to load ahead: the dictionaries load on the first text."""

        def analyze(self, text: str, entities: list[str], nlp_artifacts: Any = None) -> list[Any]:
            """Return Presidio results for the requested entity types."""
            wanted = set(entities or ENTITY_TYPES)
            return [
                presidio.RecognizerResult(e.type, e.start, e.end, e.score)
                for e in self._analyzer.analyze(text).entities
                if e.type in wanted
            ]

    return ParcelGuardRecognizer


def presidio_recognizer(language: str = "zh", analyzer: Analyzer | None = None) -> Any:
    """Return a ParcelGuard recognizer to add to a Presidio `RecognizerRegistry`."""
    return recognizer_class()(supported_language=language, analyzer=analyzer)


def analyzer_engine(language: str = "zh", analyzer: Analyzer | None = None) -> Any:
    """Return a Presidio `AnalyzerEngine` with ParcelGuard's recognizers and no NLP model."""
    presidio = _presidio()
    from presidio_analyzer.nlp_engine import NoOpNlpEngine

    registry = presidio.RecognizerRegistry(supported_languages=[language])
    registry.add_recognizer(presidio_recognizer(language, analyzer))
    engine = NoOpNlpEngine(models=[{"lang_code": language, "model_name": "none"}])
    return presidio.AnalyzerEngine(
        registry=registry, nlp_engine=engine, supported_languages=[language]
    )
