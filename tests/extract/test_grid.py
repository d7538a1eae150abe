"""The column grid from rows of equal boxes (extract/grid.py), on box lists."""

from designlens.extract.grid import Grid, detect_grid


def test_cards_that_share_only_their_bottom_edge_still_make_a_row() -> None:
    # three 380 px cards at 24 px gutters; two open with a photo that is no box of its own,
    # so their boxes start 132 px lower than the third's (Material / Beer CSS cards)
    boxes = [(48, 465, 428, 651), (452, 465, 832, 651), (856, 333, 1236, 651)]
    assert detect_grid(boxes, 1284) == Grid(3, 380, 24, 48, 48)


def test_whole_cards_win_over_a_row_that_mixes_them_with_their_lower_parts() -> None:
    # four cards and, inside each, its body below the photo: they share the cards' bottom
    # edge, so a row by bottoms holds overlapping boxes and is no grid; the cards' tops are
    cards = [(367 + i * 212, 103, 563 + i * 212, 384) for i in range(4)]
    bodies = [(x0, 297, x1, y1) for x0, _, x1, y1 in cards]
    assert detect_grid(cards + bodies, 1280) == Grid(4, 196, 16, 367, 1280 - 1199)


def test_equal_boxes_level_neither_at_top_nor_at_bottom_are_no_row() -> None:
    boxes = [(48, 100, 428, 300), (452, 140, 832, 340), (856, 180, 1236, 380)]
    assert detect_grid(boxes, 1284) is None
