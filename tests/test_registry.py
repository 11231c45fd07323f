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


def test_abolished_and_disabled_councils_are_not_crawlable_and_say_why():
    som = get_council("SOM")
    assert som.status == "abolished" and not som.crawlable and "Somerset Council (SMT)" in som.not_crawlable
    assert get_council("london").status == "disabled" and not get_council("london").crawlable
    assert get_council("SMT").crawlable
    # Every site two active councils share is told apart by their attribution patterns.
    active = [c for c in load_registry() if c.crawlable]
    sites: dict = {}
    for c in active:
        sites.setdefault(c.base_url.split("://")[1].lower(), []).append(c)
    for members in sites.values():
        if len(members) > 1:
            assert all(m.attribution for m in members), members


def test_a_shared_site_is_crawled_once_and_pages_go_to_the_council_they_name():
    from crawlers.sites import attribute, group_sites

    rows = [
        {
            "id": "EAS",
            "base_url": "https://democracy.lewes-eastbourne.gov.uk",
            "attribution": r"\bEastbourne\b",
        },
        {"id": "LEE", "base_url": "http://democracy.lewes-eastbourne.gov.uk", "attribution": r"\bLewes\b"},
        {"id": "HAL", "base_url": "https://councillors.halton.gov.uk", "attribution": ""},
    ]
    assert group_sites(rows) == {"EAS": ["EAS", "LEE"], "HAL": ["HAL"]}
    assert attribute(rows[:2], "Lewes District Council Cabinet", None) == "LEE"
    assert attribute(rows[:2], "Eastbourne Borough Council Cabinet", "Title") == "EAS"
    assert attribute(rows[:2], "Joint Audit Committee (Lewes and Eastbourne)") == "EAS"  # joint: the first


def test_a_bad_status_is_named(tmp_path):
    ok = {"id": "A", "name": "A council", "platform": "moderngov", "base_url": "https://a.gov.uk"}
    path = tmp_path / "councils.csv"
    with path.open("w", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=[*ok, "status", "notes"])
        w.writeheader()
        w.writerow({**ok, "status": "abolished", "notes": ""})
    with pytest.raises(RegistryError, match="needs the reason"):
        load_registry(path)


def test_crawling_an_abolished_council_is_a_usage_error_with_the_reason(tmp_path):
    from click.testing import CliRunner

    from papers.cli import cli

    result = CliRunner().invoke(cli, ["--data-dir", str(tmp_path), "crawl", "--council", "NYK"])
    assert (
        result.exit_code == 2 and "abolished" in result.output and "North Yorkshire Council" in result.output
    )
