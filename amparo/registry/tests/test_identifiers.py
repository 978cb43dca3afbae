import itertools

from hypothesis import given
from hypothesis import strategies as st

from amparo.registry.identifiers import ALPHABET, check_character, new_amparo_id, parse_amparo_id

data_strings = st.text(alphabet=ALPHABET, min_size=8, max_size=8)


def test_new_ids_are_valid_and_readable():
    amparo_id = new_amparo_id()

    assert parse_amparo_id(amparo_id) == amparo_id
    assert len(amparo_id) == 11
    assert all(char in ALPHABET for char in amparo_id.replace("-", ""))


def test_accepts_lower_case_without_hyphens_and_look_alike_letters():
    data = "0K1M0X2A"
    canonical = f"0K1M-0X2A-{check_character(data)}"

    assert parse_amparo_id(canonical.lower().replace("-", "")) == canonical
    assert parse_amparo_id(canonical.replace("0", "O").replace("1", "l")) == canonical


@given(data_strings, st.integers(min_value=0, max_value=7), st.sampled_from(ALPHABET))
def test_every_single_wrong_character_is_caught(data, position, replacement):
    if data[position] == replacement:
        return
    typo = data[:position] + replacement + data[position + 1 :]

    assert check_character(typo) != check_character(data)


def test_neighbour_swaps_are_almost_always_caught():
    pairs = list(itertools.permutations(ALPHABET, 2))
    caught = sum(check_character(f"{a}{b}000000") != check_character(f"{b}{a}000000") for a, b in pairs)

    assert caught / len(pairs) > 0.99


def test_rejects_wrong_check_character_and_wrong_length():
    data = "7K3MQ9X2"
    wrong = next(char for char in ALPHABET if char != check_character(data))

    assert parse_amparo_id(f"{data}{wrong}") is None
    assert parse_amparo_id("7K3M-Q9X2") is None
    assert parse_amparo_id("") is None
