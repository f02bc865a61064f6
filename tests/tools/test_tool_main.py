"""#22.8: a checkpoint (or other user) error from a tool prints its message, not a 46-line traceback."""
from pathlib import Path

import pytest

from radio_dense.radio.checkpoint import RadioCheckpointError
from radio_dense.tools.common.tool_main import run_main

REPO = Path(__file__).resolve().parents[2]
#: the tools a user runs on checkpoints and images: their __main__ is run_main
USER_TOOLS = ['ablate', 'demo', 'sam3_app', 'sam3_predict', 'sam_amg', 'sam_app', 'sam_eval', 'sam_predict',
              'sam_train', 'segment_by_name', 'test', 'train', 'zero_shot', 'deploy/export_onnx',
              'misc/publish_model', 'misc/browse_dataset', 'convert/extract_sam_decoder',
              'analysis/visualize_features', 'analysis/get_flops']


def _failing(err):
    seen = []

    def main(argv=None):
        seen.append(argv)
        raise err
    return main, seen


def test_case25_user_errors_print_one_message_and_debug_keeps_the_trace(capsys, monkeypatch):
    monkeypatch.delenv('RADIO_DENSE_DEBUG', raising=False)
    main, seen = _failing(RadioCheckpointError('x.pth is not a torch checkpoint. Pass a RADIO .pth.tar file.'))
    assert run_main(main, ['--radio', 'x.pth']) == 1 and seen == [['--radio', 'x.pth']]
    err = capsys.readouterr().err
    assert err.splitlines()[0].endswith(': error: x.pth is not a torch checkpoint. Pass a RADIO .pth.tar file.')
    assert 'Traceback' not in err and '--debug' in err and len(err.splitlines()) == 2
    assert run_main(_failing(FileNotFoundError('No RADIO checkpoint at y.pth'))[0], []) == 1
    with pytest.raises(RadioCheckpointError):  # --debug: the traceback, and the tool never sees the flag
        run_main(main, ['--debug', '--radio', 'x.pth'])
    assert seen[-1] == ['--radio', 'x.pth']
    with pytest.raises(KeyError):  # anything else is a bug: it keeps its traceback
        run_main(_failing(KeyError('meta'))[0], [])
    assert run_main(lambda argv: None, []) == 0


@pytest.mark.parametrize('tool', USER_TOOLS)
def test_case25_tools_run_through_run_main(tool):
    source = (REPO / 'tools' / f'{tool}.py').read_text()
    assert 'run_main(main)' in source.split("if __name__ == '__main__':")[-1]


def test_case25_sam_predict_bad_checkpoint_is_one_message(tmp_path, capsys):
    """The real error of a real tool (in-process: the __main__ wiring is checked above, a subprocess costs ~10 s)."""
    from PIL import Image

    from radio_dense.tools.sam_predict import main
    junk = tmp_path / 'junk.pth'
    junk.write_bytes(bytes(range(256)) * 4)
    image = tmp_path / 'img.png'
    Image.new('RGB', (32, 32)).save(image)
    argv = [str(image), '--points', '5,5', '--out', str(tmp_path / 'mask.png'), '--radio', str(junk)]
    assert run_main(main, argv) == 1
    lines = capsys.readouterr().err.strip().splitlines()
    assert len(lines) == 2 and f': error: {junk} is not a torch checkpoint' in lines[0], lines
    assert not (tmp_path / 'mask.png').exists()
