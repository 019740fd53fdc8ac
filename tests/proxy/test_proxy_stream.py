"""How the plugin cuts a till's bytes (proxy/stream.py): status requests sent
ahead, receipts held to their cut, nothing lost or doubled however the bytes
arrive."""

from __future__ import annotations

from functools import partial

from hypothesis import given, settings
from hypothesis import strategies as st
from proxy_helpers import as_bytes, english_bakery, french_cafe

from stampdesk.proxy.stream import HeldReceipt, Passing, TillStream

DLE_EOT_1 = b"\x10\x04\x01"
RECEIPTS = as_bytes(partial(french_cafe, with_logo=True)) + as_bytes(english_bakery)


def run(stream: TillStream, chunks: list[bytes]) -> tuple[bytes, bytes, list[HeldReceipt]]:
    ahead, sent, held = b"", b"", []
    for chunk in chunks:
        requests, outs = stream.feed(chunk)
        ahead += b"".join(requests)
        for out in outs:
            sent += out.data if isinstance(out, Passing) else out.original
            held += [out] if isinstance(out, HeldReceipt) else []
    for out in stream.close():
        sent += out.data if isinstance(out, Passing) else out.original
        held += [out] if isinstance(out, HeldReceipt) else []
    return ahead, sent, held


@settings(max_examples=40, deadline=None)
@given(cuts=st.lists(st.integers(1, len(RECEIPTS) - 1), max_size=12, unique=True))
def test_however_the_bytes_arrive_the_printer_gets_them_all_once(cuts: list[int]) -> None:
    edges = [0, *sorted(cuts), len(RECEIPTS)]
    chunks = [RECEIPTS[a:b] for a, b in zip(edges, edges[1:], strict=False)]
    ahead, sent, held = run(TillStream(), chunks)
    assert ahead == b"" and sent == RECEIPTS
    assert [len(receipt.page.text_lines) for receipt in held] == [8, 7]


def test_a_status_request_goes_ahead_and_is_not_sent_twice() -> None:
    stream = TillStream()
    middle = RECEIPTS.index(b"Ticket")  # after the logo: in its data, these bytes are dots
    data = RECEIPTS[:middle] + DLE_EOT_1 + RECEIPTS[middle:]
    ahead, sent, held = run(stream, [data[: middle + 3], data[middle + 3 :]])
    assert ahead == DLE_EOT_1
    assert sent == RECEIPTS


def test_the_block_goes_after_the_last_line_before_the_feed_and_the_cut() -> None:
    _, _, [first, _] = run(TillStream(), [RECEIPTS])
    printed = first.with_block(b"<BLOCK>")
    before, after = printed.split(b"<BLOCK>")
    assert before.endswith("Merci de votre visite !\n".encode("cp858"))
    assert after.startswith(b"\x1bd\x06")  # python-escpos's feed to the cutter, then the cut
    assert first.mode.align == "center" and first.mode.codepage == 19  # CP858
    assert not first.newline


def test_a_pause_sends_what_is_held_and_that_receipt_is_passed_over() -> None:
    stream = TillStream()
    one = as_bytes(english_bakery)
    _, outs = stream.feed(one[:100])
    assert outs == []
    [flushed] = stream.flush()
    assert isinstance(flushed, Passing) and flushed.data == one[:100]
    _, [rest] = stream.feed(one[100:])
    assert isinstance(rest, Passing) and rest.reason == "idle" and rest.data == one[100:]
    # The next receipt is read again as usual.
    _, [next_one] = stream.feed(one)
    assert isinstance(next_one, HeldReceipt)


def test_a_stream_too_big_to_hold_passes_on_as_it_comes() -> None:
    stream = TillStream(max_held=1000)
    never_ending = b"\x1d8L" + (10**9).to_bytes(4, "little") + bytes(2000)  # a graphic that never ends
    _, [out] = stream.feed(never_ending)
    assert isinstance(out, Passing) and out.reason == "too_big" and out.data == never_ending
    assert stream.feed(b"more") == ([], [Passing(b"more")])


def test_a_line_the_cut_prints_comes_before_the_block() -> None:
    data = b"\x1b@TOTAL 5,00\n\x1ba\x01Merci\x1dV\x00"  # "Merci" waits for a line feed: the cut prints it
    _, _, [receipt] = run(TillStream(), [data])
    assert receipt.newline and receipt.page.text_lines == ["TOTAL 5,00", "Merci"]
    printed = receipt.with_block(b"<BLOCK>")
    assert printed == b"\x1b@TOTAL 5,00\n\x1ba\x01Merci\n<BLOCK>\x1dV\x00"
