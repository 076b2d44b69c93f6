"""Small-cell suppression: "<5" cells, and complements that totals cannot undo."""

from __future__ import annotations

import random

import pytest

from jamsos.lib.suppression import suppress, table_suppress

T = 5


def _table_system(rows):
    """values and relations of a table with margins, as table_suppress builds them."""
    n_rows, n_cols = len(rows), len(rows[0])
    values = {}
    for r, row in enumerate(rows):
        for c, v in enumerate(row):
            values[(r, c)] = v
        values[(r, n_cols)] = sum(row)
    for c in range(n_cols):
        values[(n_rows, c)] = sum(rows[r][c] for r in range(n_rows))
    values[(n_rows, n_cols)] = sum(values[(r, n_cols)] for r in range(n_rows))
    relations = [([(r, c) for c in range(n_cols)], (r, n_cols)) for r in range(n_rows + 1)]
    relations += [([(r, c) for r in range(n_rows)], (n_rows, c)) for c in range(n_cols + 1)]
    return values, relations


def _consistent(relations, guess):
    for parts, total in relations:
        if all(m in guess for m in (*parts, total)):
            if sum(guess[p] for p in parts) != guess[total]:
                return False
        elif total in guess and sum(guess[p] for p in parts if p in guess) > guess[total]:
            return False
    return True


def _exposed_by_brute_force(values, relations, result, threshold=T):
    """An exhaustive attacker (independent of the code under test): a depth-first search
    over every assignment of the hidden values consistent with the published figures
    ("<5" means 1..4, a complement 0..its known total). Returns the hidden keys that take
    one single value in every consistent assignment."""
    hidden = sorted(result.hidden)
    ceiling = sum(values[total] for _parts, total in relations)
    domain = {}
    for key in hidden:
        if key in result.primary:
            domain[key] = range(1, threshold)
            continue
        caps = [values[t] for parts, t in relations if key in parts and t not in result.hidden]
        domain[key] = range(0, min(caps, default=ceiling) + 1)
    seen = {key: set() for key in hidden}

    def search(index, guess):
        if index == len(hidden):
            for key in hidden:
                seen[key].add(guess[key])
            return
        key = hidden[index]
        for v in domain[key]:
            guess[key] = v
            if _consistent(relations, guess):
                search(index + 1, guess)
            del guess[key]

    search(0, {k: v for k, v in values.items() if k not in result.hidden})
    return [key for key in hidden if len(seen[key]) == 1]


def test_a_single_small_cell_gets_a_complement_in_its_row_and_column():
    table = table_suppress([[3, 10, 20], [8, 12, 30]], threshold=T)
    assert table.rows[0][0].label == "<5"
    row_hidden = [cell for cell in table.rows[0][:3] if cell.hidden]
    col_hidden = [table.rows[r][0] for r in range(2) if table.rows[r][0].hidden]
    assert len(row_hidden) >= 2
    assert len(col_hidden) >= 2
    # Complements show "x", not "<5": they are not small.
    assert table.rows[1][0].label == "x"


def test_no_small_cell_means_nothing_hidden():
    table = table_suppress([[5, 10], [0, 7]], threshold=T)
    assert not any(cell.hidden for row in table.rows for cell in row)
    assert not any(cell.hidden for cell in table.totals)


def test_zero_is_shown_and_never_preferred_as_a_complement():
    table = table_suppress([[2, 0, 9], [6, 0, 11]], threshold=T)
    assert table.rows[0][0].label == "<5"
    assert table.rows[0][1].label is None  # the 9 covers it, not the zero
    assert table.rows[0][2].label == "x"


def test_single_column_hides_another_row_not_the_total():
    table = table_suppress([[3], [40], [12]], threshold=T)
    labels = [row[0].label for row in table.rows]
    assert labels[0] == "<5"
    assert labels.count("x") == 1 and labels[2] == "x"  # the smaller of the others
    assert table.totals[0].label is None


def test_a_small_total_is_itself_hidden():
    table = table_suppress([[1, 2], [10, 10]], threshold=T)
    assert table.rows[0][2].label == "<5"  # row total 3


@pytest.mark.parametrize(
    "rows",
    [
        [[3, 10, 20], [8, 12, 30]],
        [[4, 4], [4, 4]],
        [[2, 0], [0, 9]],
        [[1, 9, 0], [0, 0, 7], [3, 0, 2]],
        [[4], [1]],
        [[1, 0, 0]],
    ],
)
def test_hidden_cells_cannot_be_worked_out_from_totals(rows):
    values, relations = _table_system(rows)
    result = suppress(values, relations, threshold=T)
    assert _exposed_by_brute_force(values, relations, result) == []


def test_random_small_tables_against_an_exhaustive_attacker():
    rng = random.Random(20261205)
    for _ in range(40):
        n_rows, n_cols = rng.randint(1, 3), rng.randint(1, 2)
        rows = [[rng.choice([0, 1, 2, 3, 4, 6]) for _c in range(n_cols)] for _r in range(n_rows)]
        values, relations = _table_system(rows)
        result = suppress(values, relations, threshold=T)
        assert result.primary == {k for k, v in values.items() if 0 < v < T}
        if result.hidden == set(values):
            continue  # a whole table under the threshold: see the test below
        assert _exposed_by_brute_force(values, relations, result) == [], rows


def test_a_table_too_small_to_protect_is_hidden_whole():
    # Grand total 4: "<5" everywhere tells each cell is 1; nothing published would help.
    table = table_suppress([[1, 1], [1, 1]], threshold=T)
    assert all(cell.hidden for row in table.rows for cell in row)
    assert all(cell.hidden for cell in table.totals)


def test_hierarchy_nagari_in_kecamatan_in_kabupaten():
    values = {"n1": 3, "n2": 20, "n3": 15, "k1": 38, "n4": 30, "k2": 30, "kab": 68}
    relations = [(["n1", "n2", "n3"], "k1"), (["n4"], "k2"), (["k1", "k2"], "kab")]
    result = suppress(values, relations, threshold=T)
    assert result.primary == {"n1"}
    assert result.complementary == {"n3"}
    assert _exposed_by_brute_force(values, relations, result) == []
