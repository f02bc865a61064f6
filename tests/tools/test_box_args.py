"""The box options of sam_predict (--box x0,y0,x1,y1) and sam3_predict (--box x0,y0,x1,y1[,label]): one parser."""
import argparse

import pytest

from radio_dense.tools.tool_args import box_xyxy, labelled_box


def test_boxes_parse():
    assert box_xyxy('1,2,30.5,40') == [1.0, 2.0, 30.5, 40.0]
    assert labelled_box('1,2,30,40') == ([1.0, 2.0, 30.0, 40.0], 1)
    assert labelled_box('1,2,30,40,0') == ([1.0, 2.0, 30.0, 40.0], 0)


@pytest.mark.parametrize('text', ['nan,0,10,10', '0,0,inf,10', '0,0,10', '10,0,5,10', '0,10,10,10', 'a,b,c,d',
                                  '0,0,10,10,1'])
def test_bad_boxes_are_refused(text):
    with pytest.raises(argparse.ArgumentTypeError, match='a box is x0,y0,x1,y1, finite'):
        box_xyxy(text)


@pytest.mark.parametrize('text', ['nan,0,10,10,1', '0,0,10,10,2', '0,0,10,10,0.5', '0,0,10', '0,0,10,10,1,1'])
def test_bad_labelled_boxes_are_refused(text):
    with pytest.raises(argparse.ArgumentTypeError, match=r'label 1 = positive exemplar'):
        labelled_box(text)
