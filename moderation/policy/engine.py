"""The prompt policy engine: Aho-Corasick over normalised views of the text.

Three automata, each scanned once per prompt in C: whole words (the word view), spaced-out
words and unspaced scripts (the compact view), and word stems (the word view again, with
each hit confirmed by stemming the token it sits in). Hits inside an exception term are
dropped; the categories left feed the combined rules.
"""

from __future__ import annotations

import dataclasses
from bisect import bisect_right
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import accumulate
from typing import TYPE_CHECKING

import ahocorasick

from . import inflect
from .categories import (
    CATEGORY_POLICIES,
    COMBINED_RULES,
    Action,
    Category,
    CombinedRule,
    action_for,
)
from .normalize import canonical, compact, is_unspaced, joined_runs, views
from .terms import Term, load_terms
from .verdict import ALLOW, Match, Verdict

if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence

    from .classifiers import TextClassifier

# Shorter Latin terms are matched as whole words only: in the compact view "sex" or "ass"
# would hit across ordinary word pairs far too often.
COMPACT_MIN_LEN = 4
# Hangul terms of this many syllables match inside words: Korean glues compounds
# (아동포르노) and writes casual prompts without spaces. Shorter ones (총, 아이) must start a
# word, followed by a particle or ending at most.
HANGUL_INFIX_SYLLABLES = 3
# Multi-word names and titles are matched as written, except where names decline.
NAME_CATEGORIES = frozenset({Category.PUBLIC_FIGURE, Category.COPYRIGHTED_CHARACTER,
                             Category.COPYRIGHTED_MUSIC, Category.ARTIST_STYLE})
# Distinct tokens remembered per stem key; a prompt of random words can't grow it forever.
STEM_MEMO_MAX = 4096


@dataclass(frozen=True, slots=True)
class _Key:
    """An automaton entry: a canonical key and every term that normalises to it."""

    length: int
    # Unspaced-script keys match anywhere; Latin keys need the spaced-out test.
    unbounded: bool
    terms: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class _StemKey:
    """A stem-automaton entry: the anchor text and the terms whose first word it anchors."""

    length: int
    entries: tuple[_StemEntry, ...]
    # token -> the entries whose anchored word it is an inflection of: one stemmer call per
    # distinct token and key
    memo: dict[str, tuple[_StemEntry, ...]] = field(default_factory=dict, compare=False)


@dataclass(frozen=True, slots=True)
class _StemEntry:
    term: int
    stem: inflect.Stemmer
    # the term's canonical words and their stems
    words: tuple[str, ...]
    stems: tuple[str, ...]
    # which word the automaton key anchors
    anchored: int

    def accepts(self, tokens: Sequence[str]) -> bool:
        """Each token is the word as listed or an inflection of it: longer than the bare
        stem, so Spanish "pene" (stem "pen") does not match English "pen"."""
        return all(map(self.accepts_word, range(len(self.words)), tokens))

    def accepts_word(self, position: int, token: str) -> bool:
        expected = self.stems[position]
        return token == self.words[position] or (
            len(token) > len(expected) and self.stem(token) == expected)


def _match_mode(term: Term, joined: str) -> str:
    if term.match:
        return term.match
    if any(is_unspaced(ch) for ch in joined):
        return "infix"
    if sum("\uac00" <= ch <= "\ud7af" for ch in term.text) >= HANGUL_INFIX_SYLLABLES:
        return "infix"
    return "word"


def _stem_entry(term: Term, index: int) -> tuple[str, _StemEntry] | None:
    stemmer = inflect.stemmer_for(term.lang)
    if stemmer is None:
        return None
    words = canonical(term.text).split()
    if (len(words) > 1 and term.category in NAME_CATEGORIES
            and term.lang not in inflect.DECLINING_NAMES):
        return None  # "in the style of banksy" is written as listed
    stems = tuple(map(stemmer, words))
    # Anchor on the word with the longest anchor: "the president" should not wake up for
    # every "the".
    prefixing = term.lang in inflect.PREFIXING
    anchors = [inflect.anchor(w, st, prefixing=prefixing) for w, st in zip(words, stems,
                                                                            strict=True)]
    # On a tie the later word: names and objects come last ("in the style of banksy").
    position = max(range(len(words)), key=lambda n: (len(anchors[n].strip()), n))
    key = anchors[position]
    if len(key.strip()) < inflect.MIN_STEM and not (term.lang == "ko" and len(key) > 2):
        return None
    return key, _StemEntry(index, stemmer, tuple(words), stems, position)


def _automaton(keys: dict[str, list[int]], unbounded: set[str]) -> ahocorasick.Automaton | None:
    if not keys:
        return None
    automaton = ahocorasick.Automaton()
    for key, term_indices in keys.items():
        automaton.add_word(key, _Key(len(key), key in unbounded, tuple(term_indices)))
    automaton.make_automaton()
    return automaton


def _spaced_out(token_ends: Sequence[int], start: int, end: int, *,
                hangul: bool = False) -> bool:
    """A compact-view hit counts when it covers whole tokens averaging <= 2 characters.

    token_ends: running count of compact characters after each token of the word view.
    """
    first, last = bisect_right(token_ends, start), bisect_right(token_ends, end - 1)
    if start > 0 and bisect_right(token_ends, start - 1) == first:
        return False
    if end < token_ends[-1] and bisect_right(token_ends, end) == last:
        return False
    # A single whole token is the word view's job, so count >= 2 whenever this passes.
    # A Hangul syllable is two or three jamo after NFKD: "자 살" is two one-syllable tokens.
    per_token = 3 if hangul else 2
    return (end - start) <= per_token * (last - first + 1)


@dataclass(frozen=True, slots=True)
class Explanation:
    """What a "test this text" tool shows a moderator."""

    text: str
    word_view: str
    compact_view: str
    verdict: Verdict
    # (match, text of the term behind it, or "" for combined rules and classifiers)
    rules: tuple[tuple[Match, str], ...]

    def __str__(self) -> str:
        lines = [f"action: {self.verdict.action}",
                 f"word view: {self.word_view!r}",
                 f"compact view: {self.compact_view!r}"]
        for match, term_text in self.rules:
            where = f" at {match.span} {match.matched!r}" if match.span else ""
            lines.append(f"- {match.action} {match.reason} rule={match.rule_id} "
                         f"term={term_text!r} via={match.via}{where}")
        return "\n".join(lines)


class PolicyEngine:
    """Immutable once built; share one per process (or per term-list version)."""

    __slots__ = (
        "_by_id",
        "_classifier_threshold",
        "_classifiers",
        "_combined",
        "_compact",
        "_stem",
        "_terms",
        "_word",
    )

    def __init__(self, terms: tuple[Term, ...], word: ahocorasick.Automaton | None,
                 compact_: ahocorasick.Automaton | None, combined: tuple[CombinedRule, ...],
                 classifiers: tuple[TextClassifier, ...], classifier_threshold: float,
                 stem: ahocorasick.Automaton | None = None) -> None:
        self._terms = terms
        self._by_id = {term.id: term for term in terms}
        self._word = word
        self._compact = compact_
        self._stem = stem
        self._combined = combined
        self._classifiers = classifiers
        self._classifier_threshold = classifier_threshold

    @classmethod
    def build(cls, terms: Iterable[Term], *, classifiers: Sequence[TextClassifier] = (),
              combined_rules: Sequence[CombinedRule] = COMBINED_RULES,
              classifier_threshold: float = 0.8) -> PolicyEngine:
        """Raises ValueError for a term with nothing left after normalisation (e.g. "!!")."""
        term_list = tuple(terms)
        word_keys: dict[str, list[int]] = {}
        compact_keys: dict[str, list[int]] = {}
        unbounded: set[str] = set()
        stem_keys: dict[str, list[_StemEntry]] = {}
        for index, term in enumerate(term_list):
            joined = compact(term.text)
            if not joined:
                raise ValueError(f"term {term.id!r} is empty after normalisation")
            mode = _match_mode(term, joined)
            if mode == "infix":
                unbounded.add(joined)
                compact_keys.setdefault(joined, []).append(index)
                continue
            word_keys.setdefault(canonical(term.text), []).append(index)
            # "spider-man" also as one word: "spiderman"
            word_keys.setdefault(f" {joined} ", []).append(index)
            if len(joined) >= COMPACT_MIN_LEN:
                compact_keys.setdefault(joined, []).append(index)
            if mode == "word" and (entry := _stem_entry(term, index)) is not None:
                stem_keys.setdefault(entry[0], []).append(entry[1])
        for key_terms in (*word_keys.values(), *compact_keys.values()):
            key_terms[:] = dict.fromkeys(key_terms)  # a term may produce one key twice
        stem = None
        if stem_keys:
            stem = ahocorasick.Automaton()
            for key, entries in stem_keys.items():
                stem.add_word(key, _StemKey(len(key), tuple(entries)))
            stem.make_automaton()
        return cls(term_list, _automaton(word_keys, set()), _automaton(compact_keys, unbounded),
                   tuple(combined_rules), tuple(classifiers), classifier_threshold, stem)

    @property
    def terms(self) -> tuple[Term, ...]:
        return self._terms

    def check(self, text: str, *, teen: bool = False,
              extra_rules: Sequence[Term] = ()) -> Verdict:
        verdict = self._verdict(text, teen=teen, signals=False)
        if extra_rules:
            verdict = Verdict.merge(verdict, _owner_engine(tuple(extra_rules))._verdict(
                text, teen=teen))
        return verdict

    def explain(self, text: str, *, teen: bool = False,
                extra_rules: Sequence[Term] = ()) -> Explanation:
        engines = [self] + ([_owner_engine(tuple(extra_rules))] if extra_rules else [])
        verdicts = [engine._verdict(text, teen=teen) for engine in engines]
        rules = tuple(
            (match, term.text if (term := engine._by_id.get(match.rule_id)) else "")
            for engine, verdict in zip(engines, verdicts, strict=True)
            for match in verdict.matches
        )
        return Explanation(text, canonical(text), compact(text), Verdict.merge(*verdicts),
                           rules)

    def _verdict(self, text: str, *, teen: bool, signals: bool = True) -> Verdict:
        """signals=False (check) skips listing hits that change nothing: when every hit is a
        context cue and no combined rule can fire, the answer is ALLOW without building the
        per-character views. explain() lists them."""
        # Fast path: plain string views and C-level automaton scans; the per-character views
        # with source offsets are built only when something matched.
        word = canonical(text)
        matches: list[Match] = []
        candidates = self._candidates(word)
        if candidates and (signals or self._may_act(candidates)):
            matches = self._term_matches(text, candidates, teen=teen)
        scores: dict[str, float] = {}
        for classifier in self._classifiers:
            for result in classifier.classify_text(text):
                scores[f"{classifier.name}:{result.label}"] = result.score
                if result.score >= self._classifier_threshold:
                    matches.append(Match(
                        result.category, CATEGORY_POLICIES[result.category].reason,
                        action_for(result.category, None, teen=teen), classifier.name,
                        "classifier", score=result.score))
        if not matches and not scores:
            return ALLOW
        return Verdict.from_matches(matches, scores)

    def _may_act(self, candidates: list[tuple[tuple[int, ...], str, int, int, str]]) -> bool:
        categories: set[Category] = set()
        for indices, *_ in candidates:
            for index in indices:
                term = self._terms[index]
                if term.category is Category.EXCEPTION:
                    continue
                if action_for(term.category, term.action, teen=False) is not Action.ALLOW:
                    return True
                categories.add(term.category)
        return any(rule.all_of <= categories for rule in self._combined)

    def _candidates(self, word: str) -> list[tuple[tuple[int, ...], str, int, int, str]]:
        """Term hits as (term indices, view, start, end, via), found without the per-character
        views: most prompts stop here with nothing, or with stems that did not verify."""
        found: list[tuple[tuple[int, ...], str, int, int, str]] = []
        if self._word:
            for end, key in self._word.iter(word):
                # The key is padded with spaces: keep its inner characters.
                found.append((key.terms, "word", end - key.length + 2, end, "word"))
        if self._stem:
            for end, stem_key in self._stem.iter(word):
                for index, (start, stop) in _stem_matches(word, end, stem_key):
                    found.append(((index,), "word", start, stop, "stem"))
        if (joined := joined_runs(word)) is not None:
            found.extend(self._joined_candidates(joined))
        if self._compact:
            token_ends: list[int] | None = None
            joined_text = word.replace(" ", "")
            for end, key in self._compact.iter(joined_text):
                start = end - key.length + 1
                if not key.unbounded:
                    if token_ends is None:
                        token_ends = list(accumulate(map(len, word.split())))
                    if not _spaced_out(token_ends, start, end + 1,
                                       hangul="\u1100" <= joined_text[start] <= "\u11ff"):
                        continue
                found.append((key.terms, "compact", start, end + 1, "compact"))
        return found

    def _joined_candidates(self, joined: str
                           ) -> Iterable[tuple[tuple[int, ...], str, int, int, str]]:
        """Word and stem hits in the view with spaced-out letters joined ("s e x"), mapped to
        the compact view (which has no spaces at all). Hits that do not touch a joined run
        are the word view's own and come back once more; matches are keyed by span, so they
        count once."""
        def compact_span(start: int, end: int) -> tuple[int, int]:
            return start - joined.count(" ", 0, start), end - joined.count(" ", 0, end)

        if self._word:
            for end, key in self._word.iter(joined):
                yield (key.terms, "compact", *compact_span(end - key.length + 2, end), "joined")
        if self._stem:
            for end, stem_key in self._stem.iter(joined):
                for index, (start, stop) in _stem_matches(joined, end, stem_key):
                    yield ((index,), "compact", *compact_span(start, stop), "joined")

    def _term_matches(self, text: str,
                      candidates: list[tuple[tuple[int, ...], str, int, int, str]], *,
                      teen: bool) -> list[Match]:
        v = views(text)
        # One match per category and span: "nude" is listed in English and Italian, and
        # "nudes" stems like "nude"; the strictest term wins, the first one on a tie.
        found: dict[tuple[Category, tuple[int, int]], Match] = {}
        for indices, view, start, end, via in candidates:
            span = v.span(view, start, end)
            for index in indices:
                term = self._terms[index]
                action = action_for(term.category, term.action, teen=teen)
                known = found.get((term.category, span))
                if known is None or action.rank > known.action.rank:
                    found[(term.category, span)] = Match(
                        term.category, CATEGORY_POLICIES[term.category].reason, action,
                        term.id, via, span, text[span[0]:span[1]])
        _drop_exceptions(found)
        categories = {m.category for m in found.values() if m.category is not Category.EXCEPTION}
        # Combined rules first: they are the most specific reason (MINORS over SEXUAL).
        matches = [Match(rule.category, CATEGORY_POLICIES[rule.category].reason, rule.action,
                         rule.id, "combined")
                   for rule in self._combined if rule.all_of <= categories]
        return matches + list(found.values())


def _stem_matches(word: str, end: int, key: _StemKey) -> Iterable[tuple[int, tuple[int, int]]]:
    """Terms whose every word stems like the tokens around the hit, with their word-view span.

    The hit lies inside the token of the anchored word; the term's other words are the
    tokens before and after it in the word view (single spaces, one at each end).
    """
    hit_token = word.rfind(" ", 0, end - key.length + 2) + 1
    token = word[hit_token:word.find(" ", hit_token)]
    entries = key.memo.get(token)
    if entries is None:
        if len(key.memo) >= STEM_MEMO_MAX:
            key.memo.clear()
        entries = key.memo[token] = tuple(
            entry for entry in key.entries if entry.accepts_word(entry.anchored, token))
    for entry in entries:
        count = len(entry.words)
        if count == 1:
            yield entry.term, (hit_token, hit_token + len(token))
            continue
        start = hit_token
        for _ in range(entry.anchored):
            start = word.rfind(" ", 0, start - 1) + 1
            if start == 0:  # ran off the front: fewer tokens before the hit than words
                break
        else:
            tokens = word[start:].split(" ", count)
            if len(tokens) > count and entry.accepts(tokens[:count]):
                yield entry.term, (start, start + len(" ".join(tokens[:count])))


def _drop_exceptions(found: dict[tuple[Category, tuple[int, int]], Match]) -> None:
    """Removes hits that lie inside an exception's span (裸 inside 裸足)."""
    spans = [m.span for m in found.values() if m.category is Category.EXCEPTION and m.span]
    if not spans:
        return
    for key, match in list(found.items()):
        if match.category is Category.EXCEPTION or match.span is None:
            continue
        start, end = match.span
        if any(lo <= start and end <= hi for lo, hi in spans):
            del found[key]


@lru_cache(maxsize=512)
def _owner_engine(terms: tuple[Term, ...]) -> PolicyEngine:
    """Owner restrictions always report CAMEO.OWNER_RULE, whatever category they were given."""
    return PolicyEngine.build(
        (dataclasses.replace(term, category=Category.OWNER_RULE) for term in terms),
        combined_rules=())


@lru_cache(maxsize=1)
def default_engine() -> PolicyEngine:
    """The engine over the shipped term files (terms/<lang>.tsv)."""
    return PolicyEngine.build(load_terms())

