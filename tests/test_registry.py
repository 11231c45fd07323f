"""The council registry: every council a row, validated on load."""

import csv

import pytest

from crawlers.registry import REGISTRY_PATH, RegistryError, get_council, load_registry
from papers.errors import UserError

SEEDS = {
    "BRY": "https://cds.bromley.gov.uk",
    "HAL": "https://councillors.halton.gov.uk",
    "THR": "https://democracy.thurrock.gov.uk",
    "STH": "https://www.southampton.gov.uk/modernGov",
    "NGM": "https://committee.nottinghamcity.gov.uk",
}


def test_registry_holds_lgsf_councils_and_the_seed_councils():
    councils = load_registry()
    assert len(councils) >= 433
    assert len({c.id for c in councils}) == len(councils)
    assert sum(c.platform == "moderngov" for c in councils) >= 334
    for cid, base in SEEDS.items():
        c = get_council(cid)
        assert (c.platform, c.base_url) == ("moderngov", base) and c.crawlable


def test_corrections_say_why():
    assert "seed s000" in get_council("BRY").notes  # LGSF had Bromley as a custom site
    assert get_council("cbf").platform == "moderngov"


def test_every_moderngov_base_url_is_a_site_root_without_trailing_slash():
    for c in load_registry():
        if c.platform == "moderngov":
            assert c.base_url.startswith(("http://", "https://")) and not c.base_url.endswith("/"), c


def test_unknown_council_is_a_user_error_with_suggestions():
    with pytest.raises(UserError, match="did you mean"):
        get_council("Bromley Council")
    with pytest.raises(UserError, match="unknown council"):
        get_council("ZZZZ")


def write(tmp_path, rows):
    path = tmp_path / "councils.csv"
    with path.open("w", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=["id", "name", "platform", "base_url", "nation", "notes"])
        w.writeheader()
        w.writerows(rows)
    return path


def test_bad_rows_are_named_with_their_line(tmp_path):
    ok = {"id": "A", "name": "A council", "platform": "moderngov", "base_url": "https://a.gov.uk"}
    with pytest.raises(RegistryError, match=r"councils.csv:3: base_url"):
        load_registry(write(tmp_path, [ok, {**ok, "id": "B", "base_url": "ftp://b"}]))
    with pytest.raises(RegistryError, match="duplicate council id"):
        load_registry(write(tmp_path, [ok, {**ok, "id": "a"}]))
    with pytest.raises(RegistryError, match="trailing slash"):
        load_registry(write(tmp_path, [{**ok, "base_url": "https://a.gov.uk/"}]))


def test_registry_file_is_in_the_project():
    assert REGISTRY_PATH.parent.name == "corpora" and REGISTRY_PATH.exists()
