"""API tokens as text: random, recognisable, and stored only as their SHA-256."""

from __future__ import annotations

import re

from backbone.governance import tokens


def test_a_new_token_is_prefixed_random_and_url_safe():
    made = {tokens.new_token() for _ in range(100)}
    assert len(made) == 100
    assert all(re.fullmatch(r"bbt_[A-Za-z0-9_-]{43}", t) for t in made)


def test_the_digest_is_the_sha256_in_hex():
    # FIPS 180-2, appendix B.1: SHA-256("abc")
    assert (
        tokens.digest("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
    )


def test_the_hint_is_six_characters_after_the_prefix():
    assert tokens.hint("bbt_Xy3_kQ9rest") == "Xy3_kQ"
