"""Folding: what staff type and what is stored meet in one form, plain lower-case ASCII."""
import pytest

from chalicelib.domain.search import customer_searchable, is_outdated_gram, normalize_query
from chalicelib.domain.text import fold, legacy_fold


@pytest.mark.parametrize("text, folded", [
    ("Łukasz", "lukasz"), ("Søren", "soren"), ("Æble", "aeble"), ("Þórður", "thordur"), ("Guðrún", "gudrun"),
    ("Đorđe", "dorde"), ("Œuvre", "oeuvre"), ("Straße", "strasse"), ("Müller", "muller"), ("ÉMILE", "emile"),
    ("Ødegård", "odegard"), ("Dvořák", "dvorak"), ("Москва", "moskva"), ("Ελένη", "eleni"), ("北京", "beijing"),
    ("ann@example.com", "ann@example.com")])
def test_fold_transliterates_every_letter_to_lower_case_ascii(text, folded):
    assert fold(text) == folded


def test_a_piece_of_a_text_folds_to_a_piece_of_the_folded_text():
    # Search matches the folded query inside the folded text: folding goes letter by letter
    whole = "Łukasz Ødegård-Þórðarson, Straße 5"
    for start in range(len(whole)):
        for end in range(start + 1, len(whole) + 1):
            assert fold(whole[start:end]) in fold(whole)


def test_the_legacy_fold_kept_the_letters_decomposition_does_not_reduce():
    assert legacy_fold("Łukasz Müller") == "łukasz muller" and fold(legacy_fold("Łukasz Müller")) == "lukasz muller"


def test_a_query_typed_either_way_finds_the_same_entries():
    text, grams = customer_searchable("Łukasz", "Wałęsa", "lw@example.pl", None)
    assert normalize_query("lukasz") in text and normalize_query("ŁUKASZ") in text and normalize_query("walesa") in text
    assert all(gram.isascii() for gram in grams)


def test_entries_of_the_legacy_fold_are_told_by_their_trigram():
    legacy_grams = customer_searchable("Søren", "Hansen", "sh@example.dk", None, folding=legacy_fold)[1]
    today = set(customer_searchable("Søren", "Hansen", "sh@example.dk", None)[1])
    # Given the trigrams of a name under the legacy fold and under today's
    # Then those today's fold no longer produces are exactly those it cannot produce
    outdated = [gram for gram in legacy_grams if is_outdated_gram(gram)]
    assert outdated == [gram for gram in legacy_grams if gram not in today] == ["sør", "øre"]
    assert not any(is_outdated_gram(gram) for gram in today)
