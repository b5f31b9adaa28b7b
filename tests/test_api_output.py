"""``GET nbcompare/output``: image bytes with their own type, never sniffed, SVG sandboxed."""

from __future__ import annotations

import hashlib
import json

import pytest
from tornado.httpclient import HTTPClientError

from .conftest import image_output, png_bytes, tagged_notebook, text_output

#: An SVG whose script must never run where the image is opened.
SVG = (
    '<svg xmlns="http://www.w3.org/2000/svg" width="40" height="30">'
    '<script>alert("pwned")</script><rect width="40" height="30"/></svg>'
)


@pytest.fixture
def images(write_notebook) -> str:
    """A notebook with a PNG, an SVG, a multi-output cell and a text value."""
    notebook = tagged_notebook(
        {
            "png": [image_output("image/png", png_bytes(5, 4))],
            "svg": [image_output("image/svg+xml", SVG)],
            "mixed": [
                {"output_type": "stream", "name": "stdout", "text": "plotting\n"},
                image_output("image/png", png_bytes(2, 7)),
                text_output("42"),
            ],
            "number": [text_output("0.5")],
        }
    )
    write_notebook("figs/plots.ipynb", notebook)
    return "figs/plots.ipynb"


async def fetch_output(jp_fetch, **params):
    """GET the output endpoint with these query parameters."""
    return await jp_fetch("nbcompare", "output", params=params)


async def test_png_is_served_with_its_type_and_nosniff(jp_fetch, images, read_path):
    # When the PNG value is requested (origin defaults to tag)
    response = await fetch_output(jp_fetch, path=images, name="png")
    # Then the answer is the very PNG bytes, typed, never sniffed, not sandboxed
    assert response.body == png_bytes(5, 4)
    assert response.headers["Content-Type"] == "image/png"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" not in response.headers.get("Content-Security-Policy", "")


async def test_svg_is_sandboxed_without_scripts(jp_fetch, images, read_path):
    # When the SVG value is requested
    response = await fetch_output(jp_fetch, path=images, name="svg", origin="tag")
    # Then it is served as SVG under a sandbox that does not allow scripts
    assert response.body.decode() == SVG
    assert response.headers["Content-Type"] == "image/svg+xml"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    directives = [d.strip() for d in response.headers["Content-Security-Policy"].split(";")]
    sandbox = [d for d in directives if d.startswith("sandbox")]
    assert sandbox
    assert all("allow-scripts" not in d for d in sandbox)


async def test_hash_in_compare_matches_the_bytes_served(jp_fetch, images, read_path):
    # Given what compare says about the images
    response = await jp_fetch(
        "nbcompare", "compare", method="POST", body=json.dumps({"paths": [images]})
    )
    rows = {v["name"]: v["cells"][images] for v in json.loads(response.body)["values"]}
    for name, (width, height) in {"png": (5, 4), "svg": (40, 30)}.items():
        cell = rows[name]
        # When its bytes are fetched
        body = (await fetch_output(jp_fetch, path=images, name=name)).body
        # Then they hash to the announced sha256, with the announced size
        assert hashlib.sha256(body).hexdigest() == cell["sha256"]
        assert (cell["width"], cell["height"]) == (width, height)


@pytest.mark.parametrize("odd", [" sp.ipynb", "sp.ipynb ", "s\x01p.ipynb"])
async def test_a_path_is_taken_as_sent(jp_fetch, write_notebook, odd, read_path):
    # Given two notebooks whose names differ only by a space or a control character, with
    # different images under the same name
    write_notebook(
        "sp.ipynb", tagged_notebook({"png": [image_output("image/png", png_bytes(3, 3))]})
    )
    write_notebook(odd, tagged_notebook({"png": [image_output("image/png", png_bytes(8, 2))]}))
    response = await jp_fetch(
        "nbcompare", "compare", method="POST", body=json.dumps({"paths": [odd]})
    )
    cell = json.loads(response.body)["values"][0]["cells"][odd]
    # When the image of the odd one is fetched by its path
    body = (await fetch_output(jp_fetch, path=odd, name="png")).body
    # Then it is that notebook's image, not the other's
    assert hashlib.sha256(body).hexdigest() == cell["sha256"]
    assert (cell["width"], cell["height"]) == (8, 2)


async def test_an_image_whose_name_utf8_cannot_hold_is_served(jp_fetch, write_notebook, read_path):
    # Given an image tagged with a lone surrogate (a JSON escape the json module
    # reads), which the answer spells with U+FFFD
    nb = tagged_notebook({"img\udcff": [image_output("image/png", png_bytes(6, 2))]})
    write_notebook("odd.ipynb", json.dumps(nb))
    response = await jp_fetch(
        "nbcompare", "compare", method="POST", body=json.dumps({"paths": ["odd.ipynb"]})
    )
    row = json.loads(response.body)["values"][0]
    assert row["name"] == "img\ufffd"
    # When the image is fetched by that name
    body = (await fetch_output(jp_fetch, path="odd.ipynb", name=row["name"])).body
    # Then it is served: the bytes whose hash the answer gave
    assert hashlib.sha256(body).hexdigest() == row["cells"]["odd.ipynb"]["sha256"]


async def test_two_images_spelled_alike_serve_neither(jp_fetch, write_notebook, read_path):
    # Given two images whose tags differ only by a lone surrogate, both of which
    # the answer spells img\ufffd
    twins = [("img\udc80", png_bytes(6, 2)), ("img\udc81", png_bytes(2, 6))]
    nb = tagged_notebook({tag: [image_output("image/png", png)] for tag, png in twins})
    write_notebook("twins.ipynb", json.dumps(nb))
    # When an image is asked for by that spelling
    with pytest.raises(HTTPClientError) as error:
        await fetch_output(jp_fetch, path="twins.ipynb", name="img\ufffd")
    # Then neither is served: it could be the other's
    assert error.value.code == 404


async def test_part_of_a_multi_output_cell(jp_fetch, images, read_path):
    # Given a cell whose outputs are stdout text, a PNG and a number
    # When part 1 (the PNG) is requested
    response = await fetch_output(jp_fetch, path=images, name="mixed", part="1")
    # Then that part's bytes are served
    assert response.body == png_bytes(2, 7)
    assert response.headers["Content-Type"] == "image/png"


@pytest.mark.parametrize(
    "params",
    [
        {"name": "nope"},  # unknown name
        {"name": "number"},  # a value, but not an image
        {"name": "png", "origin": "scrap"},  # the name exists as a tag, not a scrap
        {"name": "mixed", "part": "0"},  # a part that is text
        {"name": "mixed", "part": "2"},  # a part that is a number
        {"name": "mixed", "part": "3"},  # no such part
        {"name": "png", "part": "99"},
        {"name": "mixed", "part": "1234567890"},  # a valid integer that is no part
        {"name": "mixed", "part": "9" * 5000},  # one past int()'s digit limit, still no part
        {"name": "PNG"},  # names are case-sensitive
    ],
)
async def test_what_does_not_lead_to_an_image_is_404(jp_fetch, images, params, read_path):
    # When a name, origin or part that designates no image is requested
    with pytest.raises(HTTPClientError) as error:
        await fetch_output(jp_fetch, path=images, **params)
    # Then it is 404 with a JSON message
    assert error.value.code == 404
    assert json.loads(error.value.response.body)["message"]


@pytest.mark.parametrize(
    "path", ["figs/missing.ipynb", "figs", "figs/broken.ipynb", "figs/plots.ipynb/x"]
)
async def test_missing_or_unreadable_notebook_is_404(
    jp_fetch, images, write_notebook, path, read_path
):
    # Given a broken notebook beside the good one
    write_notebook("figs/broken.ipynb", b"{ definitely not json")
    # When an image of a missing file, a folder or a broken file is requested
    with pytest.raises(HTTPClientError) as error:
        await fetch_output(jp_fetch, path=path, name="png")
    # Then it is 404
    assert error.value.code == 404


@pytest.mark.parametrize(
    ("params", "fragment"),
    [
        ({"name": "png", "origin": "cell"}, "origin"),
        ({"name": "png", "part": "-1"}, "part"),
        ({"name": "png", "part": "one"}, "part"),
        ({"name": "png", "part": "1.5"}, "part"),
        ({"name": "png", "part": "\u00b2"}, "part"),  # a digit to str.isdigit, not to int
        ({"name": "png", "part": "+1"}, "part"),
        ({"name": "png", "part": " 1"}, "part"),
        ({"name": ""}, "name"),
        ({}, "name"),
    ],
)
async def test_malformed_output_requests_are_400(jp_fetch, images, params, fragment):
    # When origin or part is malformed, or the name is missing
    with pytest.raises(HTTPClientError) as error:
        await fetch_output(jp_fetch, path=images, **params)
    # Then it is 400 with a message naming the parameter
    assert error.value.code == 400
    assert fragment in json.loads(error.value.response.body)["message"]


async def test_missing_path_is_400(jp_fetch):
    # When no path is given at all
    with pytest.raises(HTTPClientError) as error:
        await jp_fetch("nbcompare", "output", params={"name": "png"})
    # Then it is 400
    assert error.value.code == 400


async def test_run_image_served_after_the_notebook_changed(
    jp_fetch, jp_root_dir, write_notebook, read_path
):
    # Given a notebook whose image was fetched once
    path = "changing.ipynb"
    write_notebook(path, tagged_notebook({"png": [image_output("image/png", png_bytes(1, 1))]}))
    first = await fetch_output(jp_fetch, path=path, name="png")
    # When the notebook is rewritten with another image
    write_notebook(path, tagged_notebook({"png": [image_output("image/png", png_bytes(6, 6))]}))
    second = await fetch_output(jp_fetch, path=path, name="png")
    # Then the new bytes are served (output bytes are never cached)
    assert first.body == png_bytes(1, 1)
    assert second.body == png_bytes(6, 6)
