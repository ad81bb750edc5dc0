import json
import os

import numpy as np
import pytest

from conftest import write
from insession_exporter import cli
from insession_exporter.data import (Vocabulary, read_diginetica_csv, read_sessions, read_tsv,
                                     read_yoochoose_dat)


def test_tsv_pos_keeps_file_order_and_sorts_by_pos(tmp_path):
    p = write(tmp_path, "a.tsv", "SessionId\tItemId\tPos\n7\tx\t1\n7\ty\t0\n2\tz\t0\n2\tx\t1\n")
    d = read_tsv(p)
    assert d.session_ids == ["7", "2"]
    assert d.sessions == [["y", "x"], ["z", "x"]]
    assert d.num_events == 4 and d.num_sessions == 2


def test_tsv_time_orders_sessions_by_first_click(tmp_path):
    p = write(tmp_path, "a.txt", "SessionId\tItemId\tTime\n1\t214536502\t20.5\n1\t99\t10.0\n2\t5\t1.0\n2\t6\t2\n")
    d = read_sessions(p)
    assert d.session_ids == ["2", "1"]
    assert d.sessions == [["5", "6"], ["99", "214536502"]]


@pytest.mark.parametrize("body,line,what", [
    ("1\ta\n", 2, "expected 3"),
    ("1\ta\t0\n1\tb\tx\n", 3, "bad Pos"),
    ("1\t\t0\n", 2, "empty"),
    ("1\ta\t-1\n", 2, "bad Pos"),
])
def test_tsv_bad_lines_name_file_and_line(tmp_path, body, line, what):
    p = write(tmp_path, "bad.tsv", "SessionId\tItemId\tPos\n" + body)
    with pytest.raises(ValueError, match=rf"bad\.tsv:{line}: .*{what}"):
        read_tsv(p)


def test_tsv_bad_header(tmp_path):
    p = write(tmp_path, "h.tsv", "session\titem\tpos\n1\ta\t0\n")
    with pytest.raises(ValueError, match=r"h\.tsv:1: "):
        read_tsv(p)


def test_tsv_extra_columns_are_ignored_and_columns_found_by_name(tmp_path):
    plain = read_tsv(write(tmp_path, "a.tsv", "SessionId\tItemId\tPos\n7\tx\t1\n7\ty\t0\n2\tz\t0\n2\tx\t1\n"))
    srgnn = read_sessions(write(tmp_path, "b.tsv", "SessionId\tItemId\tPos\tSessionTime\n7\tx\t1\t1462752000\n"
                                                   "7\ty\t0\t1462752000\n2\tz\t0\t1462838400\n2\tx\t1\t1462838400\n"))
    shuffled = read_sessions(write(tmp_path, "c.tsv", "Extra\tPos\tItemId\tSessionId\nq\t1\tx\t7\nq\t0\ty\t7\n"
                                                      "q\t0\tz\t2\nq\t1\tx\t2\n"))
    assert (srgnn.session_ids, srgnn.sessions) == (plain.session_ids, plain.sessions)
    assert (shuffled.session_ids, shuffled.sessions) == (plain.session_ids, plain.sessions)
    timed = read_sessions(write(tmp_path, "d.tsv", "SessionId\tItemId\tTime\tCategory\n1\ta\t5\tc1\n2\tb\t1\tc2\n"))
    assert timed.session_ids == ["2", "1"]


@pytest.mark.parametrize("text,what", [
    ("SessionId\tItemId\tSessionTime\n1\ta\t0\n", "missing Pos or Time"),
    ("SessionId\tSessionTime\tPos\n1\ta\t0\n", "missing ItemId"),
    ("SessionId\tItemId\tPos\tItemId\n1\ta\t0\tb\n", "ItemId appears more than once"),
])
def test_tsv_header_without_a_required_column(tmp_path, text, what):
    with pytest.raises(ValueError, match=rf"h\.tsv:1: .*{what}"):
        read_tsv(write(tmp_path, "h.tsv", text))


def test_tsv_row_with_fewer_fields_than_the_header(tmp_path):
    p = write(tmp_path, "s.tsv", "SessionId\tItemId\tPos\tSessionTime\n1\ta\t0\t9\n1\tb\t1\n")
    with pytest.raises(ValueError, match=r"s\.tsv:3: expected 4 tab-separated fields \(as in the header\), got 3"):
        read_tsv(p)


def test_cli_trains_and_exports_from_a_tsv_with_a_fourth_column(tmp_path):
    rng = np.random.default_rng(4)
    rows = ["SessionId\tItemId\tPos\tSessionTime"]
    for sid in range(200):
        for pos, item in enumerate(rng.integers(0, 30, size=rng.integers(2, 6))):
            rows.append(f"{sid}\t{1000 + int(item)}\t{pos}\t{1462752000 + 60 * sid}")
    train_file = write(tmp_path, "train.tsv", "\n".join(rows) + "\n")
    hp = {"hidden_size": 8, "embedding_size": 8, "batch_size": 8, "n_sample": 8, "epochs": 1, "top_k": 5}
    (tmp_path / "hp.json").write_text(json.dumps(hp), encoding="utf-8")
    out = str(tmp_path / "bundle")
    assert cli.main(["--log-level", "WARNING", "train", "--train", train_file, "--test", train_file,
                     "--hparams", str(tmp_path / "hp.json"), "--out", out, "--name", "four-columns"]) == 0
    md = json.load(open(os.path.join(out, "metadata.json"), encoding="utf-8"))
    assert md["training_data"]["events"] == len(rows) - 1
    assert md["num_items"] == len({r.split("\t")[1] for r in rows[1:]})
    assert sorted(os.listdir(out)) == ["items.tsv", "metadata.json", "model.onnx", "parity.json"]
    assert set(md["metrics"]) >= {"recall@20", "mrr@20"}


def test_diginetica_csv(tmp_path):
    p = write(tmp_path, "d.csv", "session_id;user_id;item_id;timeframe;eventdate\n"
                                 "2;NA;81766;526309;2016-05-09\n2;NA;31331;1031018;2016-05-09\n"
                                 "2;NA;32118;243569;2016-05-09\n1;5;9;0;2016-05-08\n1;5;8;10;2016-05-08\n")
    d = read_sessions(p)
    assert d.session_ids == ["1", "2"]
    assert d.sessions == [["9", "8"], ["32118", "81766", "31331"]]
    bad = write(tmp_path, "e.csv", "session_id;user_id;item_id;timeframe;eventdate\n1;NA;3;x;2016-01-01\n")
    with pytest.raises(ValueError, match=r"e\.csv:2: bad timeframe"):
        read_diginetica_csv(bad)


def test_yoochoose_dat(tmp_path):
    p = write(tmp_path, "y.dat", "833,2014-04-02T17:51:21.363Z,214826803,0\n"
                                 "832,2014-04-06T20:21:59.677Z,214717095,0\n"
                                 "832,2014-04-06T20:21:58.444Z,214717096,S\n"
                                 "833,2014-04-02T17:50:00.000Z,214826800,0\n")
    d = read_sessions(p)
    assert d.session_ids == ["833", "832"]
    assert d.sessions == [["214826800", "214826803"], ["214717096", "214717095"]]
    bad = write(tmp_path, "z.dat", "1,2014-04-02T17:51:21.363Z,5,0\n1,yesterday,6,0\n")
    with pytest.raises(ValueError, match=r"z\.dat:2: bad ISO-8601"):
        read_yoochoose_dat(bad)
    bad2 = write(tmp_path, "w.dat", "1,2014-04-02T17:51:21.363Z,5,0\n1,2014-04-02T17:51:21.363Z,5\n")
    with pytest.raises(ValueError, match=r"w\.dat:2: expected 4"):
        read_sessions(bad2)


def test_unknown_format_and_missing_file(tmp_path):
    with pytest.raises(ValueError, match="unknown format"):
        read_sessions(write(tmp_path, "u.txt", "hello world\n"))
    with pytest.raises(ValueError, match="no such file"):
        read_sessions(str(tmp_path / "missing.tsv"))


def test_vocabulary_popularity_order_encode_and_tsv_roundtrip(tmp_path):
    d = read_tsv(write(tmp_path, "a.tsv", "SessionId\tItemId\tPos\n1\tb\t0\n1\ta\t1\n2\ta\t0\n2\tc\t1\n"))
    v = Vocabulary.from_sessions(d)
    assert v.item_ids == ["a", "b", "c"] and v.counts.tolist() == [2, 1, 1]
    test = read_tsv(write(tmp_path, "t.tsv", "SessionId\tItemId\tPos\n9\tc\t0\n9\tzzz\t1\n9\ta\t2\n"))
    idx, off = v.encode(test)
    assert idx.tolist() == [2, -1, 0] and off.tolist() == [0, 3]
    path = str(tmp_path / "items.tsv")
    v.write_tsv(path)
    assert open(path, encoding="utf-8").read() == "index\titem_id\tcount\n0\ta\t2\n1\tb\t1\n2\tc\t1\n"
    v2 = Vocabulary.read_tsv(path)
    assert v2.item_ids == v.item_ids and np.array_equal(v2.counts, v.counts)
