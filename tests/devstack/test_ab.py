"""bench.ab (tools/bench/ab.py): what it refuses before it starts anything, and the requests
it sends to each side, the same ones make bench sends."""

from pathlib import Path

from bench import ab

CREDS = {"jwt": "j.w.t", "key": "k", "deep": "42", "repo": "repo00000"}


def test_a_bad_command_line_is_refused_before_any_server_starts(tmp_path: Path, capsys):
    assert ab.main([]) == 2
    assert ab.main(["nonsense", str(tmp_path)]) == 2
    assert ab.main(["detail", str(tmp_path / "missing")]) == 2
    assert "usage: python -m bench.ab" in capsys.readouterr().err


def test_each_row_is_the_request_make_bench_measures():
    assert ab.request("detail", CREDS) == ("/api/v1/repos/repo00000", {"Authorization": "Bearer j.w.t"}, None)
    assert ab.request("deep", CREDS)[0] == "/api/v1/repos?start=42"
    assert ab.request("version", CREDS) == ("/api/v1/version", {}, None)
    path, headers, script = ab.request("authenticate", CREDS)
    assert (path, headers) == ("/api/v1/authenticate", {"Content-Type": "application/json"})
    assert script is not None and Path(script).read_text() == 'wrk.method = "POST"\nwrk.body = \'{"apiKey": "k"}\''
    Path(script).unlink()
