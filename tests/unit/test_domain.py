"""Pure rules: password hashing, text folding, page tokens."""
import pytest

from chalicelib.domain.errors import BadRequest
from chalicelib.domain.passwords import hash_password, verify_password
from chalicelib.domain.text import fold
from chalicelib.store.pagination import decode_token, encode_token


def test_password_hash_verifies_only_the_right_password():
    stored = hash_password("correct horse battery")
    assert stored != hash_password("correct horse battery")  # salted
    assert verify_password("correct horse battery", stored)
    assert not verify_password("correct horse batterz", stored)
    assert not verify_password("anything", None)


def test_fold_ignores_case_and_accents():
    assert fold("Müller") == "muller" and fold("ÉMILE") == "emile" and fold("Straße") == "strasse"


def test_page_token_round_trip_and_rejections():
    key = {"PK": {"S": "CUST#1"}, "SK": {"S": "PROFILE"}}
    assert decode_token(encode_token(key), {"PK", "SK"}) == key
    assert encode_token(None) is None and decode_token(None, {"PK"}) is None
    for bad in ("%%%", encode_token({"PK": {"S": "x"}}), encode_token({"PK": {"N": "1"}, "SK": {"S": "y"}})):
        with pytest.raises(BadRequest):
            decode_token(bad, {"PK", "SK"})

