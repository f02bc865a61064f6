"""The colour bar of the depth / normals pictures: drawn at the panel's own size, ends coloured as the data's."""
import numpy as np

from radio_dense.analysis.dense_panels import colorize, colour_bar


def test_colour_bar_is_drawn_at_the_panel_size_with_the_data_colours_at_its_ends():
    bar = colour_bar(192, 2.0, 9.0, ' m', width=192)
    assert bar.shape == (192, 192, 3)
    ends = colorize(np.array([[9.0], [2.0]]), 2.0, 9.0)
    assert (bar[0, 0] == ends[0, 0]).all() and (bar[-1, 0] == ends[1, 0]).all()  # vmax on top, vmin at the bottom
    ramp_w = 48
    assert (bar[:, ramp_w + 1:] == 255).all(axis=2).mean() < 1.0  # values are written beside the ramp
    text = (bar[:, ramp_w:] < 100).all(axis=2)
    rows = np.nonzero(text.any(axis=1))[0]
    assert rows.min() < 20 and rows.max() > 172 and text[86:106].any()  # top, middle and bottom labels
    assert text.any(axis=0).nonzero()[0].max() < 192 - ramp_w - 1  # no label runs off the panel


def test_colour_bar_text_grows_with_the_panel():
    def text_height(side):
        text = (colour_bar(side, 0.0, 45.0, ' deg', cmap='magma', width=side)[: side // 3, side // 4:] < 100).all(axis=2)
        rows = np.nonzero(text.any(axis=1))[0]
        return rows.max() - rows.min()
    assert text_height(384) > 1.5 * text_height(96)
