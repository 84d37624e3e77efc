"""The optional sentence-transformers embedding, loaded from a local folder the test builds."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest

from knowledge_base.embeddings import LocalSentenceTransformerEmbeddings, load_embeddings
from knowledge_base.service import KnowledgeBase
from knowledge_base.text import words


@pytest.fixture(scope="module")
def tiny_model(tmp_path_factory: pytest.TempPathFactory, corpus_dir: Path) -> Path:
    """A 1-layer, 32-dim BERT bi-encoder with a vocabulary from the corpus: no download."""
    from sentence_transformers import SentenceTransformer
    from sentence_transformers.sentence_transformer.modules import Pooling, Transformer
    from transformers import BertConfig, BertModel, BertTokenizer

    root = tmp_path_factory.mktemp("tiny-model")
    text = (corpus_dir / "nd-55-2024-nd-cp.txt").read_text(encoding="utf-8")
    vocabulary = sorted(set(words(text)))[:2000]
    (root / "vocab.txt").write_text(
        "\n".join(["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", *vocabulary]), encoding="utf-8"
    )
    tokenizer = BertTokenizer(str(root / "vocab.txt"), do_lower_case=True, strip_accents=True)
    config = BertConfig(
        vocab_size=len(vocabulary) + 5,
        hidden_size=32,
        num_hidden_layers=1,
        num_attention_heads=2,
        intermediate_size=64,
    )
    BertModel(config).save_pretrained(root / "bert")
    tokenizer.save_pretrained(root / "bert")
    transformer = Transformer(str(root / "bert"))
    pooling = Pooling(transformer.get_embedding_dimension())
    SentenceTransformer(modules=[transformer, pooling]).save(str(root / "st"))
    return root / "st"


def test_a_local_model_loads_offline_and_embeds(
    tiny_model: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    embedding = load_embeddings(tiny_model)
    assert isinstance(embedding, LocalSentenceTransformerEmbeddings)
    vector = np.array(embedding.embed_query("đăng ký hợp đồng theo mẫu"))
    assert vector.shape == (32,)
    assert np.isclose(np.linalg.norm(vector), 1.0, atol=1e-4)
    assert embedding.name == "st-st"


def test_the_index_uses_the_local_model(
    tiny_model: Path, corpus_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    shutil.copy(corpus_dir / "nd-55-2024-nd-cp.txt", corpus)
    empty = tmp_path / "empty"
    empty.mkdir()
    kb = KnowledgeBase.open(
        corpus, tmp_path / "chroma", tiny_model, guidance_dir=empty, phrasings_dir=empty
    )
    assert kb.index.embedding_name == "st-st"
    assert kb.last_sync.added == kb.searcher.size
    hits = kb.searcher.search("hồ sơ đăng ký hợp đồng theo mẫu", 3)
    assert hits and all(h.doc == "55/2024/NĐ-CP" for h in hits)


def test_a_missing_model_folder_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="embedding model folder not found"):
        load_embeddings(tmp_path / "nowhere")
