"""Outputs served through the real server: their own type, never sniffed, never running script
in the Jupyter origin, downloadable under any name; and the read-only HTML view of the
executed notebook."""

from __future__ import annotations

import os
import re
from pathlib import Path
from urllib.parse import unquote

import nbformat
import pytest

# A 1x1 PNG.
PNG = ("89504e470d0a1a0a0000000d4948445200000001000000010806000000"
       "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082")
WRITES = f"""
import pathlib
pathlib.Path('plot.png').write_bytes(bytes.fromhex({PNG!r}))
pathlib.Path('pic.svg').write_text('<svg xmlns="http://www.w3.org/2000/svg"><script>'
                                   'alert(document.cookie)</script></svg>')
pathlib.Path('evil.html').write_text('<script>fetch("/api/contents")</script>')
pathlib.Path('code.js').write_text('alert(1)')
pathlib.Path('page.xhtml').write_text('<html xmlns="http://www.w3.org/1999/xhtml"/>')
pathlib.Path('data.bin').write_bytes(b'\\0\\1\\2')
pathlib.Path('table.csv').write_text('a,b\\n1,2\\n')
"""
NAMES = ["résumé €.txt", "报告.txt", 'q"uote.txt', "cr\rlf\n.txt",
         "semi;colon, comma.txt", "pct%41.txt", "emoji 🎉.txt"]


def csp_directives(resp) -> dict[str, str]:
    policy = resp.headers["Content-Security-Policy"]
    found: dict[str, str] = {}
    for part in policy.split(";"):
        name, _, value = part.strip().partition(" ")
        found.setdefault(name, value)  # the first of a directive is the one that counts
    return found


def assert_sandboxed(resp) -> None:
    """Whatever the job wrote, a browser runs none of its script, in no origin."""
    csp = csp_directives(resp)
    assert "sandbox" in csp, resp.headers["Content-Security-Policy"]
    assert csp["sandbox"] == ""  # no allow-same-origin, no allow-scripts, nothing
    assert csp["default-src"] == "'none'"
    assert "script-src" not in csp
    assert resp.headers["X-Content-Type-Options"] == "nosniff"


def disposition(resp) -> tuple[str, str, str]:
    """(inline|attachment, the ASCII filename, the exact name of filename*), read the way
    a browser does (RFC 6266: filename* wins, filename is the fallback)."""
    header = resp.headers["Content-Disposition"]
    assert header.isascii() and not re.search(r"[\x00-\x1f\x7f]", header), header
    kind = header.split(";", 1)[0].strip()
    plain = re.search(r'; filename="((?:[^"\\]|\\.)*)"', header)
    exact = re.search(r"; filename\*=UTF-8''([A-Za-z0-9!#$&+\-.^_`|~%]+)(?:;|$)", header)
    assert plain and exact, header
    return kind, plain.group(1), unquote(exact.group(1), encoding="utf-8", errors="strict")


def test_content_disposition_of_names_no_url_can_carry():
    from jupyterlab_nbjobs.handlers.jobs import content_disposition

    # A backslash (a path separator to the output route) and a name that is not UTF-8 on disk.
    header = content_disposition("attachment", "back\\slash.txt")
    assert header == "attachment; filename=\"back_slash.txt\"; filename*=UTF-8''back%5Cslash.txt"
    header = content_disposition("attachment", os.fsdecode(b"caf\xe9.txt"))
    assert header == "attachment; filename=\"caf_.txt\"; filename*=UTF-8''caf%3F.txt"
    assert content_disposition("inline", "") == "inline; filename=\"download\"; filename*=UTF-8''"


async def run_job(api, notebook, sources, **body) -> dict:
    nb = notebook("out/make.ipynb", *sources)
    job = await api.wait((await api.create(input_path=nb, **body))["id"])
    assert job["status"] == "completed", job
    return job


async def fetch(api, job, name, **params):
    return await api.call("GET", f"jobs/{job['id']}/outputs/{name}", raw=True, **params)


async def test_downloads_under_any_name(api, notebook):
    writes = "\n".join(f"open({name!r}, 'w').write({name!r})" for name in NAMES)
    job = await run_job(api, notebook, [writes, "open(b'caf\\xe9.txt', 'w').write('latin-1')"])
    code, listing = await api.get(f"jobs/{job['id']}/outputs")
    assert code == 200, listing  # a name that is not UTF-8 is left out, not a 500
    assert {f"files/{name}" for name in NAMES} <= {o["name"] for o in listing["outputs"]}
    for name in NAMES:
        resp = await fetch(api, job, f"files/{name}", download="1")
        assert resp.code == 200, (name, resp.code, resp.body[:300])
        assert resp.body.decode() == name
        kind, fallback, exact = disposition(resp)
        assert kind == "attachment" and exact == name
        assert not re.search(r'[\x00-\x1f\x7f"\\]', fallback), fallback
        assert len(fallback) == len(name)  # one stand-in per character it could not keep


async def test_outputs_are_served_as_what_they_are_and_never_run_script(api, notebook):
    job = await run_job(api, notebook, [WRITES, "print('printed')"], output_formats=["html"])
    expect = {  # name: (content type, shown inline)
        "make.ipynb": ("application/x-ipynb+json", True),
        "make.html": ("text/html", True),
        "make.log": ("text/plain", True),
        "files/plot.png": ("image/png", True),
        "files/pic.svg": ("image/svg+xml", True),
        "files/evil.html": ("text/html", True),
        "files/table.csv": ("text/csv", True),
        "files/code.js": (None, False),
        "files/page.xhtml": (None, False),
        "files/data.bin": ("application/octet-stream", False),
    }
    for name, (mime, inline) in expect.items():
        resp = await fetch(api, job, name)
        assert resp.code == 200, (name, resp.code)
        served = resp.headers["Content-Type"].split(";")[0].strip()
        if mime is not None:
            assert served == mime, (name, resp.headers["Content-Type"])
        assert served != "application/json" or name.endswith(".json"), name
        assert_sandboxed(resp)
        kind, fallback, exact = disposition(resp)
        assert kind == ("inline" if inline else "attachment"), (name, kind)
        assert fallback == exact == name.rsplit("/", 1)[-1]
        if served.startswith("text/"):
            assert "charset=utf-8" in resp.headers["Content-Type"]
        # ?download=1 makes any of them a download.
        resp = await fetch(api, job, name, download="1")
        assert disposition(resp)[0] == "attachment"
        assert_sandboxed(resp)
    resp = await fetch(api, job, "files/plot.png")
    assert resp.body == bytes.fromhex(PNG)
    nb = nbformat.reads((await fetch(api, job, "make.ipynb")).body.decode(), as_version=4)
    assert any("printed" in o.get("text", "") for c in nb.cells for o in c.get("outputs", []))


async def test_errors_of_the_file_routes_stay_json(api, notebook):
    job = await run_job(api, notebook, ["x = 1"])
    resp = await fetch(api, job, "nope.txt")
    assert resp.code == 404 and resp.headers["Content-Type"].startswith("application/json")
    resp = await api.call("GET", "jobs/nosuchjob/view", raw=True)
    assert resp.code == 404 and resp.headers["Content-Type"].startswith("application/json")


async def test_view_of_the_executed_notebook(api, notebook, jp_root_dir, monkeypatch):
    job = await run_job(api, notebook, [
        "print('hello from the job')",
        "from IPython.display import HTML, display\n"
        "display(HTML('<b>bold</b><script>window.parent.pwned = 1</script>'))",
    ])
    resp = await api.call("GET", f"jobs/{job['id']}/view", raw=True)
    assert resp.code == 200, resp.body[:300]
    assert resp.headers["Content-Type"] == "text/html; charset=utf-8"
    assert_sandboxed(resp)
    csp = csp_directives(resp)
    assert csp["frame-ancestors"] == "'self'"  # the Lab may show it in a tab
    assert disposition(resp) == ("inline", "make.html", "make.html")
    page = resp.body.decode()
    assert "hello from the job" in page and "<b>bold</b>" in page

    # Rendered once: the next request is served from JOB_DIR without nbconvert.
    from nbconvert import HTMLExporter

    def no_render(*args, **kwargs):
        raise AssertionError("rendered again")

    monkeypatch.setattr(HTMLExporter, "from_notebook_node", no_render)
    again = await api.call("GET", f"jobs/{job['id']}/view", raw=True)
    assert again.code == 200 and again.body == resp.body
    monkeypatch.undo()

    # A new executed notebook (a retry's) gets a new page.
    code, full = await api.get(f"jobs/{job['id']}")
    executed = Path(jp_root_dir) / full["output_path"] / "make.ipynb"
    nb = nbformat.read(executed, as_version=4)
    nb.cells.append(nbformat.v4.new_markdown_cell("a later attempt"))
    nbformat.write(nb, executed)
    later = await api.call("GET", f"jobs/{job['id']}/view", raw=True)
    assert later.code == 200 and "a later attempt" in later.body.decode()
    saved = await api.call("GET", f"jobs/{job['id']}/view", raw=True, download="1")
    assert disposition(saved) == ("attachment", "make.html", "make.html")


@pytest.mark.parametrize("content", ["{not json", '{"cells": 3}'])
async def test_view_of_a_broken_notebook_is_a_json_error(api, notebook, jp_root_dir, content):
    job = await run_job(api, notebook, ["x = 1"])
    executed = Path(jp_root_dir) / job["output_path"] / "make.ipynb"
    executed.write_text(content)
    resp = await api.call("GET", f"jobs/{job['id']}/view", raw=True)
    assert resp.code == 409, resp.body[:300]
    assert resp.headers["Content-Type"].startswith("application/json")


async def test_view_before_the_notebook_exists(api, notebook):
    nb = notebook("slow.ipynb", "import time\ntime.sleep(30)")
    job = await api.create(input_path=nb)
    resp = await api.call("GET", f"jobs/{job['id']}/view", raw=True)
    assert resp.code == 404 and resp.headers["Content-Type"].startswith("application/json")
    assert b"output_not_found" in resp.body
    await api.post(f"jobs/{job['id']}/stop")
    await api.wait(job["id"])
