"""The learned sentiment model's n-gram counts, as scikit-learn's vectorisers count them, fast (issue 17).

scikit-learn's ``TfidfVectorizer`` builds every n-gram of every text as a
Python string: about 1,200 for a 50-word review with ``char_wb`` 2-5-grams.
Training on 100k reviews spent minutes there, and scoring was slower than
the TextBlob it replaces. Both n-gram kinds decompose over a text's
whitespace-separated words ("chunks"):

- ``char_wb`` n-grams never cross a chunk: a text's character counts are the
  sum of its chunks' counts, so each *distinct* chunk's n-grams are built
  once and a batch's counts are one sparse product (texts x chunks) @
  (chunks x n-grams);
- word tokens (scikit-learn's ``\\b\\w\\w+\\b``) never cross whitespace
  either (whitespace is never a word character: checked for every code
  point), so a text's token sequence is the concatenation of its chunks'
  tokens; word n-grams, which do cross chunks ("great. service"), are
  numbered with integer pair codes in numpy instead of joined strings.

:func:`count` gives the counts of a whole corpus once; :func:`select`
reproduces ``CountVectorizer``'s vocabulary selection (``min_df`` on document
frequency, ``max_features`` by total count, terms sorted as Python sorts
strings) on any subset of rows, so cross-validation folds take their
vocabulary from their own training rows. Ties at the ``max_features`` cut are
broken as scikit-learn breaks them: the same numpy ``argsort`` on the same
float32 totals in the same (sorted-term) order. :class:`Scorer` scores texts
with a stored model through the same decomposition. Tests hold both equal to
scikit-learn (tests/core/test_sentiment_features.py).
"""

from __future__ import annotations

import itertools
import math
import re
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from feedback_tui.sentiment_lexicon import lexicon_sums  # noqa: F401 - the model's lexicon block, read here
from feedback_tui.sentiment_lexicon import tokens as lexicon_tokens

TOKEN = re.compile(r"(?u)\b\w\w+\b")  # scikit-learn's default token_pattern
_BATCH = 5_000  # texts split per step while counting: bounds the transient chunk strings
CACHE_CHUNKS = 200_000  # the scorer forgets its chunk cache beyond this many distinct chunks
SETTINGS = {"analyzer", "ngram_range", "min_df", "max_features"}  # the vectoriser options count reproduces


def char_wb_grams(chunk: str, low: int, high: int) -> list[str]:
    """The ``char_wb`` n-grams of one whitespace-free chunk, in scikit-learn's order (its ``_char_wb_ngrams``)."""
    padded = " " + chunk + " "
    length = len(padded)
    grams = []
    for n in range(low, high + 1):
        offset = 0
        grams.append(padded[0:n])
        while offset + n < length:
            offset += 1
            grams.append(padded[offset:offset + n])
        if offset == 0:  # the padded chunk is not longer than n: scikit-learn stops there
            break
    return grams


def _split(texts: Sequence[str], index: dict[str, int]) -> tuple[Any, Any]:
    """Number each text's lowercased chunks in ``index`` (new chunks appended in order of appearance).

    Returns the chunk number of every occurrence (text after text) and the
    number of chunks of each text.
    """
    import numpy

    numbers, lengths = [], []
    for start in range(0, len(texts), _BATCH):
        flat: list[str] = []
        for text in texts[start:start + _BATCH]:
            parts = text.lower().split()  # scikit-learn lowercases the whole text, then splits
            flat += parts
            lengths.append(len(parts))
        for chunk in dict.fromkeys(flat):
            if chunk not in index:
                index[chunk] = len(index)
        numbers.append(numpy.fromiter(map(index.__getitem__, flat), dtype=numpy.int64, count=len(flat)))
    occurrences = numpy.concatenate(numbers) if numbers else numpy.zeros(0, dtype=numpy.int64)
    return occurrences, numpy.asarray(lengths, dtype=numpy.int64)


def _gather(ptr: Any, occurrences: Any) -> Any:
    """Positions in a flat per-chunk array (``ptr`` its offsets) of each occurrence's items, in order."""
    import numpy

    starts, sizes = ptr[occurrences], ptr[occurrences + 1] - ptr[occurrences]
    total = int(sizes.sum())
    before = numpy.cumsum(sizes) - sizes
    return numpy.repeat(starts - before, sizes) + numpy.arange(total, dtype=numpy.int64)


def _csr(rows: Any, columns: Any, shape: tuple[int, int]):
    import numpy
    from scipy.sparse import coo_matrix

    matrix = coo_matrix((numpy.ones(len(rows), dtype=numpy.float32), (rows, columns)), shape=shape).tocsr()
    matrix.sum_duplicates()
    return matrix


@dataclass(slots=True)
class Block:
    """One vectoriser's counts over a corpus: texts x the terms found in at least ``floor`` texts.

    ``terms`` are sorted as scikit-learn sorts them; ``matrix`` holds float32
    counts (scikit-learn counts in the vectoriser's dtype). ``has_terms`` says
    which texts had any term at all before that floor (for scikit-learn's
    "empty vocabulary" error on a subset).
    """

    matrix: Any
    terms: list[str]
    has_terms: Any
    floor: int


def _block(matrix, names, floor: int) -> Block:
    """Keep the columns found in ``floor`` texts or more, sorted by their names (``names(ids)`` builds them)."""
    import numpy

    matrix = matrix.tocsr()
    has_terms = numpy.diff(matrix.indptr) > 0
    kept = numpy.flatnonzero(numpy.bincount(matrix.indices, minlength=matrix.shape[1]) >= floor)
    strings = names(kept)
    order = sorted(range(len(kept)), key=strings.__getitem__)
    columns = kept[numpy.asarray(order, dtype=numpy.int64)]
    return Block(matrix=matrix[:, columns], terms=[strings[i] for i in order], has_terms=has_terms, floor=floor)


def count(texts: Sequence[str], word: dict[str, Any], char: dict[str, Any]) -> tuple[Block, Block]:
    """The word and ``char_wb`` counts of every text, for the settings' n-gram ranges (``min_df`` a whole number)."""
    import numpy

    for settings, analyzer in ((word, "word"), (char, "char_wb")):
        if settings["analyzer"] != analyzer or not isinstance(settings["min_df"], int):
            raise ValueError(f"the fast count supports analyzer {analyzer!r} with a whole-number min_df")
        if unknown := set(settings) - SETTINGS:  # a vectoriser option this count would silently ignore
            raise ValueError(f"the fast count does not implement {sorted(unknown)}")
    index: dict[str, int] = {}
    occurrences, lengths = _split(texts, index)
    text_of = numpy.repeat(numpy.arange(len(texts), dtype=numpy.int64), lengths)
    tokens: dict[str, int] = {}
    grams: dict[str, int] = {}
    token_flat: list[int] = []
    token_ptr = [0]
    gram_flat: list[int] = []
    gram_ptr = [0]
    low, high = (int(v) for v in char["ngram_range"])
    for chunk in index:  # insertion order: chunk i is the i-th key
        token_flat += [tokens.setdefault(t, len(tokens)) for t in TOKEN.findall(chunk)]
        token_ptr.append(len(token_flat))
        gram_flat += [grams.setdefault(g, len(grams)) for g in char_wb_grams(chunk, low, high)]
        gram_ptr.append(len(gram_flat))

    # The character block is the largest matrix (~700 terms a text): its columns are put in
    # sorted order in the small per-chunk matrix, so the product needs no pruned copy.
    gram_names = list(grams)
    order = sorted(range(len(gram_names)), key=gram_names.__getitem__)
    rank = numpy.empty(len(order), dtype=numpy.int64)
    rank[numpy.asarray(order, dtype=numpy.int64)] = numpy.arange(len(order), dtype=numpy.int64)
    per_chunk = _csr(numpy.repeat(numpy.arange(len(index)), numpy.diff(gram_ptr)),
                     rank[numpy.asarray(gram_flat, dtype=numpy.int64)], (len(index), len(grams)))
    per_text = _csr(text_of, occurrences, (len(texts), len(index)))
    counts = per_text @ per_chunk
    char_block = Block(matrix=counts, terms=[gram_names[i] for i in order], has_terms=numpy.diff(counts.indptr) > 0,
                       floor=1)
    del per_chunk, per_text, counts

    at = _gather(numpy.asarray(token_ptr, dtype=numpy.int64), occurrences)
    sequence = numpy.asarray(token_flat, dtype=numpy.int64)[at]
    token_text = text_of.repeat(numpy.diff(token_ptr)[occurrences])
    rows, columns, width, numbering = _word_ngrams(sequence, token_text, len(tokens),
                                                   tuple(int(v) for v in word["ngram_range"]))
    token_names = list(tokens)
    word_block = _block(_csr(rows, columns, (len(texts), width)), lambda ids: numbering.names(ids, token_names),
                        word["min_df"])
    return word_block, char_block


@dataclass(slots=True)
class _Grams:
    """How word n-grams were numbered: level n's n-gram k is the pair code ``codes[n][k]``
    (its first n-1 tokens' number at level n-1, times ``n_tokens``, plus its last token);
    ``levels`` lists (first column, n, how many) for each n in the range."""

    n_tokens: int
    codes: dict[int, Any]
    levels: list[tuple[int, int, int]]

    def names(self, columns, token_names: list[str]) -> list[str]:
        """The strings of word-n-gram columns: tokens joined by a space, as scikit-learn joins them."""
        import numpy

        out: list[str] = [""] * len(columns)
        columns = numpy.asarray(columns, dtype=numpy.int64)
        for start, n, size in self.levels:
            inside = numpy.flatnonzero((columns >= start) & (columns < start + size))
            for position, name in zip(inside.tolist(), self._at(n, columns[inside] - start, token_names), strict=True):
                out[position] = name
        return out

    def _at(self, n: int, numbers, token_names: list[str]) -> list[str]:
        import numpy

        if n == 1:
            return [token_names[i] for i in numbers.tolist()]
        codes = self.codes[n][numbers]
        heads, where = numpy.unique(codes // self.n_tokens, return_inverse=True)
        head_names = self._at(n - 1, heads, token_names)
        return [head_names[h] + " " + token_names[t]
                for h, t in zip(where.ravel().tolist(), (codes % self.n_tokens).tolist(), strict=True)]


def _word_ngrams(sequence, token_text, n_tokens: int, ngram_range: tuple[int, int]):
    """(text, column) of every word n-gram occurrence, the number of columns, and how they were numbered."""
    import numpy

    low, high = ngram_range
    grams = _Grams(n_tokens, {}, [])
    rows, columns = [], []
    width = 0
    number = sequence  # the level-n number of the n-gram starting at each position
    valid = numpy.ones(len(sequence), dtype=bool)  # the n tokens from there belong to one text
    for n in range(1, high + 1):
        if n > 1:
            m = max(len(sequence) - n + 1, 0)
            valid = valid[:m] & (token_text[n - 1:] == token_text[:m])
            codes, numbered = numpy.unique(number[:m][valid] * n_tokens + sequence[n - 1:][valid], return_inverse=True)
            number = numpy.full(m, -1, dtype=numpy.int64)
            number[valid] = numbered.ravel()
            grams.codes[n] = codes
        if n >= low:
            size = n_tokens if n == 1 else len(grams.codes[n])
            rows.append(token_text[:len(number)][valid])
            columns.append(number[valid] + width)
            grams.levels.append((width, n, size))
            width += size
    return numpy.concatenate(rows), numpy.concatenate(columns), width, grams


def select(block: Block, rows: Any, settings: dict[str, Any]) -> tuple[Any, Any]:
    """``CountVectorizer``'s vocabulary on ``rows`` (all when None): (kept columns of ``block``, the rows' counts).

    The same steps as scikit-learn's ``_limit_features``: document frequency
    at least ``min_df``, then, above ``max_features`` terms, the most frequent
    by total count through the same ``argsort`` on the same float32 array. The
    block's floor (its ``min_df``) drops only terms no subset could keep.
    """
    import numpy

    counts = block.matrix if rows is None else block.matrix[rows]
    has_terms = block.has_terms if rows is None else block.has_terms[rows]
    min_df, max_features = settings["min_df"], settings["max_features"]
    if min_df < block.floor:
        raise ValueError(f"min_df {min_df} is below the {block.floor} these counts were kept from")
    if not has_terms.any():
        raise ValueError("empty vocabulary; perhaps the documents only contain stop words")
    if 1.0 * counts.shape[0] < min_df:  # max_df = 1.0 of the documents
        raise ValueError("max_df corresponds to < documents than min_df")
    mask = numpy.bincount(counts.indices, minlength=counts.shape[1]) >= min_df
    if max_features is not None and mask.sum() > max_features:
        totals = numpy.asarray(counts.sum(axis=0)).ravel()
        picked = (-totals[mask]).argsort()[:max_features]
        limited = numpy.zeros(len(mask), dtype=bool)
        limited[numpy.where(mask)[0][picked]] = True
        mask = limited
    kept = numpy.where(mask)[0]
    if len(kept) == 0:
        raise ValueError("After pruning, no terms remain. Try a lower min_df or a higher max_df.")
    return kept, counts


class Scorer:
    """Scores texts exactly as a stored model's TF-IDF vectorisers and coefficients would, faster.

    Each distinct chunk's character n-gram ids and word-token numbers are
    computed once and cached (up to :data:`CACHE_CHUNKS` chunks); a batch's
    character counts are one sparse product, its word n-grams integer pair
    codes looked up with ``searchsorted`` in the model's own pair codes;
    sublinear TF, IDF, the L2 norm of each block and the dot product run in
    numpy over the batch. The only Python work left per text is lowercasing
    and splitting it. Equals ``LearnedModel.probabilities_sklearn`` (a test
    holds it).
    """

    def __init__(self, model: Any) -> None:
        import numpy

        self.n_word = len(model.word_terms)
        self.char_index = {t: self.n_word + i for i, t in enumerate(model.char_terms)}
        self.width = self.n_word + len(model.char_terms)
        self.idf = numpy.asarray(model.word_idf + model.char_idf, dtype=numpy.float64)
        self.coef = numpy.asarray(model.coef, dtype=numpy.float64)
        self.idf_coef = self.idf * self.coef
        self.intercept = model.intercept
        self.lexicon = model.lexicon_part()  # (language, scale, the two weights) or None
        self.word_range = tuple(int(v) for v in model.settings["word"]["ngram_range"])
        self.char_range = tuple(int(v) for v in model.settings["char"]["ngram_range"])
        self._vocabulary(model.word_terms)
        self.cache: dict[str, int] = {}
        self.lexicon_tokens: dict[str, list[str]] = {}  # chunk -> its sentiment_lexicon.tokens (with a lexicon block)
        self._lock = threading.Lock()  # the cache and its arrays change together: one batch at a time
        self._forget()

    def _vocabulary(self, word_terms: list[str]) -> None:
        """Number the word terms' tokens; per n >= 2, the sorted pair codes of the terms' n-token prefixes.

        A term of k tokens outside the n-gram range is never produced by the
        analyzer, so it never matches (as in scikit-learn).
        """
        import numpy

        low, high = self.word_range
        self.tokens: dict[str, int] = {}
        terms = []
        for feature, term in enumerate(word_terms):
            parts = term.split(" ")
            if low <= len(parts) <= high and "" not in parts:
                terms.append((feature, [self.tokens.setdefault(p, len(self.tokens)) for p in parts]))
        self.n_tokens = max(len(self.tokens), 1)
        first = numpy.full(self.n_tokens, -1, dtype=numpy.int64)
        for feature, parts in terms:
            if len(parts) == 1:
                first[parts[0]] = feature
        self.features = {1: first}  # n -> feature id of each level-n prefix number (-1: a prefix only)
        self.codes: dict[int, Any] = {}
        numbers = {i: parts[0] for i, (_, parts) in enumerate(terms)}  # term -> its prefix number at the level
        for n in range(2, high + 1):
            longer = [i for i in numbers if len(terms[i][1]) >= n]
            pairs = numpy.asarray([numbers[i] * self.n_tokens + terms[i][1][n - 1] for i in longer], dtype=numpy.int64)
            self.codes[n] = numpy.unique(pairs)
            at = numpy.searchsorted(self.codes[n], pairs)
            features = numpy.full(len(self.codes[n]), -1, dtype=numpy.int64)
            numbers = {}
            for i, number in zip(longer, at.tolist(), strict=True):
                numbers[i] = number
                if len(terms[i][1]) == n:
                    features[number] = terms[i][0]
            self.features[n] = features

    def _forget(self) -> None:
        import numpy

        self.cache.clear()
        self.lexicon_tokens.clear()
        self.gram_ptr = numpy.zeros(1, dtype=numpy.int64)
        self.gram_ids = numpy.zeros(0, dtype=numpy.int64)
        self.token_ptr = numpy.zeros(1, dtype=numpy.int64)
        self.token_ids = numpy.zeros(0, dtype=numpy.int64)

    def _learn(self, flat: list[str]) -> None:
        """Add the chunks of ``flat`` not yet cached: their character n-gram ids and token numbers (-1: unknown)."""
        import numpy

        get_gram, get_token = self.char_index.get, self.tokens.get
        low, high = self.char_range
        grams: list[int] = []
        gram_sizes: list[int] = []
        tokens: list[int] = []
        token_sizes: list[int] = []
        for chunk in dict.fromkeys(flat):
            if chunk in self.cache:
                continue
            self.cache[chunk] = len(self.cache)
            ids = [i for g in char_wb_grams(chunk, low, high) if (i := get_gram(g)) is not None]
            grams += ids
            gram_sizes.append(len(ids))
            found = [get_token(t, -1) for t in TOKEN.findall(chunk)]
            if self.lexicon is not None:
                self.lexicon_tokens[chunk] = lexicon_tokens(chunk)
            tokens += found
            token_sizes.append(len(found))
        self.gram_ids = numpy.concatenate([self.gram_ids, numpy.asarray(grams, dtype=numpy.int64)])
        self.gram_ptr = numpy.concatenate([self.gram_ptr,
                                           self.gram_ptr[-1] + numpy.cumsum(gram_sizes, dtype=numpy.int64)])
        self.token_ids = numpy.concatenate([self.token_ids, numpy.asarray(tokens, dtype=numpy.int64)])
        self.token_ptr = numpy.concatenate([self.token_ptr,
                                            self.token_ptr[-1] + numpy.cumsum(token_sizes, dtype=numpy.int64)])

    def counts(self, texts: Sequence[str]):
        """Term counts of each text in the model's feature space (a CSR matrix, texts x features)."""
        with self._lock:
            char, word, _ = self._blocks(texts)
        total = char + word
        total.sum_duplicates()
        return total

    def _blocks(self, texts: Sequence[str]):
        """The batch's character counts and word counts: two CSR matrices (texts x features), no duplicates;
        and, for a model with a lexicon block, each text's lexicon tokens (else None).

        Character counts are (texts x chunks) @ (chunks x n-grams): the
        product sums a row's repeated chunks, so that large matrix is never
        sorted. The ones are fresh arrays: scipy may canonicalise its inputs.
        """
        import numpy
        from scipy.sparse import coo_matrix, csr_matrix

        if len(self.cache) > CACHE_CHUNKS:
            self._forget()
        flat: list[str] = []
        lengths = [0]
        for text in texts:
            flat += text.lower().split()
            lengths.append(len(flat))
        try:
            occurrences = numpy.fromiter(map(self.cache.__getitem__, flat), dtype=numpy.int64, count=len(flat))
        except KeyError:
            self._learn(flat)
            occurrences = numpy.fromiter(map(self.cache.__getitem__, flat), dtype=numpy.int64, count=len(flat))
        n = len(texts)
        ptr = numpy.asarray(lengths, dtype=numpy.int64)
        per_text = csr_matrix((numpy.ones(len(flat), dtype=numpy.float32), occurrences, ptr),
                              shape=(n, len(self.cache)))
        per_chunk = csr_matrix((numpy.ones(len(self.gram_ids), dtype=numpy.float32), self.gram_ids, self.gram_ptr),
                               shape=(len(self.cache), self.width))
        char = per_text @ per_chunk

        text_of = numpy.repeat(numpy.arange(n, dtype=numpy.int64), numpy.diff(ptr))
        sequence = self.token_ids[_gather(self.token_ptr, occurrences)]
        token_text = text_of.repeat(numpy.diff(self.token_ptr)[occurrences])
        rows, columns = self._word_hits(sequence, token_text)
        word = coo_matrix((numpy.ones(len(rows), dtype=numpy.float32), (rows, columns)), shape=(n, self.width)).tocsr()
        word.sum_duplicates()
        return char, word, self._lexicon_tokens(flat, lengths) if self.lexicon is not None else None

    def _lexicon_tokens(self, flat: list[str], lengths: list[int]) -> list[list[str]]:
        """Each text's lexicon tokens from its chunks' cached ones (:meth:`_learn`): the same list
        as ``sentiment_lexicon.tokens(text)`` (no token spans a whitespace; lowercasing a chunk
        twice changes nothing), without tokenising the same word again (a third of the lexicon
        block's time)."""
        get = self.lexicon_tokens.__getitem__
        chain = itertools.chain.from_iterable
        return [list(chain(map(get, flat[a:b]))) for a, b in zip(lengths, lengths[1:], strict=False)]

    def _word_hits(self, sequence, token_text):
        """(text, feature) of every word n-gram of the sequence that is in the vocabulary."""
        import numpy

        low, high = self.word_range
        rows, columns = [], []
        number = sequence  # the level-n prefix number starting at each position, -1 when none
        for n in range(1, high + 1):
            if n > 1:
                m = max(len(sequence) - n + 1, 0)
                tail = sequence[n - 1:]
                valid = numpy.flatnonzero((number[:m] >= 0) & (tail >= 0) & (token_text[n - 1:] == token_text[:m]))
                codes = self.codes[n]
                pairs = number[valid] * self.n_tokens + tail[valid]
                at = numpy.minimum(numpy.searchsorted(codes, pairs), max(len(codes) - 1, 0))
                number = numpy.full(m, -1, dtype=numpy.int64)
                if len(codes):
                    hit = codes[at] == pairs
                    number[valid[hit]] = at[hit]
            if n >= low:
                where = numpy.flatnonzero(number >= 0)
                features = self.features[n][number[where]]
                found = features >= 0
                rows.append(token_text[where[found]])
                columns.append(features[found])
        if not rows:
            return numpy.zeros(0, dtype=numpy.int64), numpy.zeros(0, dtype=numpy.int64)
        return numpy.concatenate(rows), numpy.concatenate(columns)

    def probabilities(self, texts: Sequence[str]) -> list[float]:
        import numpy

        scores = numpy.full(len(texts), self.intercept, dtype=numpy.float64)
        with self._lock:
            *blocks, tokenised = self._blocks(texts)
        for counts in blocks:  # each vectoriser is L2-normalised on its own
            if not counts.nnz:
                continue
            feature = counts.indices
            tf = 1.0 + numpy.log(counts.data.astype(numpy.float64))  # sublinear TF
            value = tf * self.idf[feature]
            starts = counts.indptr[:-1]
            filled = numpy.flatnonzero(numpy.diff(counts.indptr))
            norms = numpy.sqrt(numpy.add.reduceat(value * value, starts[filled]))
            dots = numpy.add.reduceat(tf * self.idf_coef[feature], starts[filled])
            scores[filled] += dots / norms
        if self.lexicon is not None:
            language, scale, weights = self.lexicon
            scores += lexicon_sums(texts, language, scale, tokenised) @ weights
        return [1.0 / (1.0 + math.exp(-s)) for s in scores.tolist()]
