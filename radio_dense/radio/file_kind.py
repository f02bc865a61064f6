"""Say what a file is from its first bytes, so a wrong file gets a useful error message."""
import os
import zipfile


def describe_file(path: str) -> str:
    """A short description of what ``path`` holds: 'a zip archive (torch.save format)', 'an HTML page'..."""
    try:
        size = os.path.getsize(path)
        with open(path, 'rb') as f:
            head = f.read(64)
    except OSError as err:
        return f'unreadable ({err.strerror})'
    if size == 0:
        return 'an empty file'
    if head.startswith(b'PK\x03\x04'):
        return 'a zip archive (torch.save format)' if _complete_zip(path) else \
            'a truncated zip archive (an incomplete torch.save / download)'
    if head[:1] == b'\x80' and 2 <= head[1:2][0] <= 5:
        return 'a pickle file (legacy torch.save format)'
    if len(head) >= 9 and head[8:9] == b'{' and int.from_bytes(head[:8], 'little') < size:
        return 'a safetensors file'
    text = head.lstrip().lower()
    if text.startswith((b'<!doctype html', b'<html')):
        return 'an HTML page (a download that returned a web page?)'
    if text.startswith((b'{', b'[')):
        return 'a JSON/text file'
    if all(32 <= c < 127 or c in (9, 10, 13) for c in head):
        return 'a text file'
    return f'not a known checkpoint format (first bytes {head[:8]!r}, {size} bytes)'


def _complete_zip(path: str) -> bool:
    try:
        with zipfile.ZipFile(path) as archive:
            archive.infolist()
        return True
    except (zipfile.BadZipFile, OSError):
        return False


def is_truncated_torch_file(path: str) -> bool:
    """True for a torch.save zip archive whose end (the zip directory) is missing: an interrupted write."""
    try:
        with open(path, 'rb') as f:
            head = f.read(4)
    except OSError:
        return False
    return head == b'PK\x03\x04' and not _complete_zip(path)
